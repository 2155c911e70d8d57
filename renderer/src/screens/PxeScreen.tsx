// PXE screen: pick the interface and image, start or stop the boot service, and watch every
// machine's boot timeline live. `#pxe/image=<id>` preselects a base ISO or built media.
import { useEffect, useMemo, useState } from 'react';
import type { BootEvent, PxeStatus } from '../../../shared/contract/pxe';
import { ErrorBox, ProgressBar, Section } from '../ui/components';
import { useAction, useEvent, useQuery } from '../ui/hooks';
import { BootTable, buildRows } from './pxe/BootTable';
import { imageChoices, ServeForm, type StartRequest } from './pxe/ServeForm';
import './pxe/pxe.css';

function imageFromHash(): string {
  const m = /image=([^&/]+)/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : '';
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function check(form: StartRequest) {
  const e: Partial<Record<'interface' | 'image' | 'dhcpRange' | 'httpPort', string>> = {};
  if (!form.interface) e.interface = 'Choose the interface the machines are connected to.';
  if (!form.image.trim()) e.image = 'Choose an installer image or type its path.';
  const port = form.httpPort ?? 8067;
  if (!Number.isInteger(port) || port < 1 || port > 65535) e.httpPort = 'A port from 1 to 65535.';
  if (form.mode === 'dhcp') {
    const parts = (form.dhcpRange ?? '').split(',').map((s) => s.trim());
    if (parts.length !== 3 || !parts.every((p) => IPV4.test(p)))
      e.dhcpRange = 'Three IPv4 addresses: first, last, netmask (e.g. 10.0.0.100,10.0.0.150,255.255.255.0).';
  }
  return e;
}

export function PxeScreen() {
  const ifs = useQuery('pxe.interfaces', {});
  const bases = useQuery('media.bases.list', {});
  const artifacts = useQuery('media.artifacts.list', {});
  const profiles = useQuery('profiles.list', {});
  const statusQ = useQuery('pxe.status', {});
  const timeline = useQuery('pxe.timeline', { limit: 5000 });
  const start = useAction('pxe.start');
  const stop = useAction('pxe.stop');
  const [status, setStatus] = useState<PxeStatus>();
  const [events, setEvents] = useState<BootEvent[]>([]);
  const [tried, setTried] = useState(false);
  const [form, setForm] = useState<StartRequest>({
    image: imageFromHash(),
    mode: 'proxy',
    httpPort: 8067,
    allowUnknown: false,
  });

  useEffect(() => setStatus(statusQ.data), [statusQ.data]);
  useEffect(() => {
    if (timeline.data) setEvents(timeline.data.events);
  }, [timeline.data]);
  useEffect(() => {
    const on = () => {
      const img = imageFromHash();
      if (img) setForm((f) => ({ ...f, image: img }));
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    const list = ifs.data?.interfaces ?? [];
    if (!form.interface && list.length) {
      const first = list.find((i) => !i.internal);
      if (first && list.filter((i) => !i.internal).length === 1)
        setForm((f) => ({ ...f, interface: first.name }));
    }
  }, [ifs.data, form.interface]);
  useEvent('pxe.boot', (e) => setEvents((prev) => [...prev.slice(-4999), e]));
  useEvent('pxe.status', (s) => setStatus(s));

  const images = useMemo(
    () => imageChoices(bases.data?.bases, artifacts.data?.artifacts),
    [bases.data, artifacts.data],
  );
  const errors = tried ? check(form) : {};
  const rows = useMemo(() => buildRows(status?.running ? status.hosts : [], events), [status, events]);
  const running = Boolean(status?.running);

  const onStart = async () => {
    setTried(true);
    if (Object.keys(check(form)).length) return;
    const r = await start.run({ ...form, dhcpRange: form.mode === 'dhcp' ? form.dhcpRange : undefined });
    if (r) setStatus(r);
  };
  const onStop = async () => {
    const r = await stop.run({});
    if (r) setStatus({ running: false, hosts: [] });
  };

  return (
    <>
      <Section
        title="PXE boot service"
        actions={
          running ? (
            <button type="button" className="danger" onClick={() => void onStop()} disabled={stop.running}>
              {stop.running ? 'Stopping…' : 'Stop'}
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void onStart()} disabled={start.running}>
              {start.running ? 'Starting…' : 'Start'}
            </button>
          )
        }
      >
        <ErrorBox error={ifs.error ?? statusQ.error} />
        {running && status ? (
          <div aria-live="polite">
            <p>
              <span className="badge ok">running</span> on <strong>{status.interface}</strong> (
              {status.address}),{' '}
              {status.mode === 'dhcp' ? 'full DHCP' : 'ProxyDHCP beside the lab DHCP server'}
              {status.allowUnknown ? ', unknown MACs allowed' : ', unknown MACs ignored'}.
            </p>
            <dl className="pxe-urls">
              <dt>Image</dt>
              <dd>{status.image ?? '(boot files given directly)'}</dd>
              <dt>iPXE script</dt>
              <dd>{status.urls?.script}</dd>
              <dt>User-data</dt>
              <dd>{status.urls?.userData}</dd>
            </dl>
          </div>
        ) : (
          <ServeForm
            form={form}
            setForm={setForm}
            interfaces={ifs.data?.interfaces ?? []}
            images={images}
            profiles={(profiles.data?.profiles ?? []).map((p) => p.name)}
            disabled={start.running}
            errors={errors}
          />
        )}
        {start.running && <ProgressBar progress={start.progress ?? { phase: 'starting' }} />}
        <ErrorBox error={start.error ?? stop.error} onDismiss={() => start.setError(undefined)} />
        {!running && (
          <p className="muted">
            DHCP (67), TFTP (69) and PXE (4011) are privileged UDP ports: the back end must run as root.
            Machines get iPXE over TFTP, then the installer over HTTP with their own user-data.
          </p>
        )}
      </Section>
      <Section
        title="Machines"
        actions={
          <button type="button" onClick={() => void timeline.reload()}>
            Reload
          </button>
        }
      >
        <ErrorBox error={timeline.error} />
        <BootTable rows={rows} />
      </Section>
    </>
  );
}
