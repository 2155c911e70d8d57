// The app shell: one place per capability, chosen from the side bar (and by #hash, so a reload
// or a link keeps the place).
import { useEffect, useState, type ComponentType } from 'react';
import { UserDataScreen } from './screens/UserDataScreen';
import { MediaScreen } from './screens/MediaScreen';
import { FlashScreen } from './screens/FlashScreen';
import { PxeScreen } from './screens/PxeScreen';
import { RegisterScreen } from './screens/RegisterScreen';
import { HostsScreen } from './screens/HostsScreen';
import { StagingScreen } from './screens/StagingScreen';
import { useQuery } from './ui/hooks';

const PLACES: Array<{ id: string; label: string; screen: ComponentType }> = [
  { id: 'userdata', label: 'User-data', screen: UserDataScreen },
  { id: 'media', label: 'Media', screen: MediaScreen },
  { id: 'flash', label: 'Flash', screen: FlashScreen },
  { id: 'pxe', label: 'PXE', screen: PxeScreen },
  { id: 'register', label: 'Register', screen: RegisterScreen },
  { id: 'hosts', label: 'Hosts', screen: HostsScreen },
  { id: 'staging', label: 'Staging', screen: StagingScreen },
];

function placeFromHash(): string {
  const id = location.hash.replace(/^#\/?/, '').split('/')[0];
  return PLACES.some((p) => p.id === id) ? id : 'userdata';
}

export function App() {
  const [place, setPlace] = useState(placeFromHash);
  const info = useQuery('system.info', {});
  useEffect(() => {
    const on = () => setPlace(placeFromHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const Screen = PLACES.find((p) => p.id === place)!.screen;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Capabilities">
        <div className="brand">Edgebench</div>
        <ul>
          {PLACES.map((p) => (
            <li key={p.id}>
              <a
                href={`#${p.id}`}
                aria-current={p.id === place ? 'page' : undefined}
                className={p.id === place ? 'active' : ''}
              >
                {p.label}
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          {info.data
            ? `v${info.data.version} · ${info.data.transport === 'ipc' ? 'desktop' : 'server'}`
            : info.error
              ? 'offline'
              : '…'}
        </div>
      </nav>
      <main className="content" id="main">
        <Screen />
      </main>
    </div>
  );
}
