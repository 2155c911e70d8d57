// Register screen: Palette connection, hosts (Edgebench state beside Palette state), the
// registration queue with sync, sites and clusters, QR labels and the Terraform export.
import { useState } from 'react';
import { useQuery } from '../ui/hooks';
import { ConnectionPanel } from './register/ConnectionPanel';
import { HostsPanel } from './register/HostsPanel';
import { LabelsPanel } from './register/LabelsPanel';
import { SitesPanel } from './register/SitesPanel';
import './register/register.css';

export function RegisterScreen() {
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const bump = () => setVersion((v) => v + 1);
  const sites = useQuery('sites.list', {}, [version]);
  return (
    <div className="register-screen">
      <ConnectionPanel onChange={bump} />
      <HostsPanel
        sites={(sites.data?.sites ?? []).map((s) => s.name)}
        selected={selected}
        setSelected={setSelected}
        version={version}
      />
      <SitesPanel version={version} onChange={bump} />
      <LabelsPanel selected={selected} />
    </div>
  );
}
