// Build an installer ISO (or site media, or a VM variant): pick a base (stored or a path), user-data
// from a profile (optionally rendered for a host) or pasted text, then build with progress and cancel.
import { useMemo, useState } from 'react';
import { formatBytes } from '../../../../shared/format';
import { ErrorBox, Field, ProgressBar, Section } from '../../ui/components';
import { useAction, useQuery } from '../../ui/hooks';

type Source = 'profile' | 'text';
type Kind = 'iso' | 'site-iso' | 'site-fat' | 'raw' | 'qcow2' | 'vmdk' | 'ova' | 'ami';

const KINDS: Array<{ id: Kind; label: string }> = [
  { id: 'iso', label: 'Installer ISO (bare metal, USB)' },
  { id: 'site-iso', label: 'Site user-data: cidata ISO' },
  { id: 'site-fat', label: 'Site user-data: CIDATA FAT image (stick)' },
  { id: 'qcow2', label: 'VM: QCOW2 (OpenStack, MaaS)' },
  { id: 'ova', label: 'VM: OVA (VMware)' },
  { id: 'vmdk', label: 'VM: VMDK (streamOptimized)' },
  { id: 'raw', label: 'VM: raw disk image' },
  { id: 'ami', label: 'VM: AMI (raw + AWS import files)' },
];

export function BuildPanel({ onBuilt }: { onBuilt: () => void }) {
  const bases = useQuery('media.bases.list', {});
  const profiles = useQuery('profiles.list', {});
  const hosts = useQuery('hosts.list', {});
  const build = useAction('media.build');
  const site = useAction('media.siteMedia');
  const variant = useAction('media.variant');
  const [kind, setKind] = useState<Kind>('iso');
  const needsBase = kind !== 'site-iso' && kind !== 'site-fat';
  const action = kind === 'iso' ? build : needsBase ? variant : site;
  const [base, setBase] = useState('');
  const [basePath, setBasePath] = useState('');
  const [source, setSource] = useState<Source>('profile');
  const [profile, setProfile] = useState('');
  const [hostId, setHostId] = useState('');
  const [text, setText] = useState('#cloud-config\n');
  const [out, setOut] = useState('');
  const [force, setForce] = useState(false);
  const [formError, setFormError] = useState<string>();

  const chosenBase = base === '__path' ? basePath.trim() : base;
  const profileNames = useMemo(() => (profiles.data?.profiles ?? []).map((p) => p.name), [profiles.data]);
  const hostList = hosts.data?.hosts ?? [];

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (needsBase && !chosenBase) return setFormError('Choose a base ISO or enter its path.');
    if (source === 'profile' && !profile)
      return setFormError('Choose a profile, or paste user-data instead.');
    setFormError(undefined);
    const common = {
      ...(source === 'profile' ? { profile, hostId: hostId || undefined } : { userData: text }),
      out: out.trim() || undefined,
      force,
    };
    const r =
      kind === 'iso'
        ? await build.run({ base: chosenBase, ...common })
        : kind === 'site-iso' || kind === 'site-fat'
          ? await site.run({ ...common, format: kind === 'site-iso' ? 'iso' : 'fat' })
          : await variant.run({ base: chosenBase, ...common, format: kind });
    if (r) onBuilt();
  }

  const details = action.error?.details as { lines?: string[] } | undefined;
  const otherResult =
    kind === 'iso' ? undefined : needsBase ? variant.result?.artifact : site.result?.artifact;
  return (
    <Section title="Build installer ISO">
      <form onSubmit={submit} className="media-build" aria-label="Build installer ISO">
        <div className="grid-2">
          <Field label="What to build" htmlFor="media-kind">
            <select
              id="media-kind"
              value={kind}
              onChange={(e) => setKind(e.target.value as Kind)}
              disabled={action.running}
            >
              {KINDS.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.label}
                </option>
              ))}
            </select>
          </Field>
          <span />
        </div>
        <div className="grid-2" hidden={!needsBase}>
          <Field
            label="Base installer ISO"
            htmlFor="media-base"
            error={formError && !chosenBase ? formError : undefined}
          >
            <select id="media-base" value={base} onChange={(e) => setBase(e.target.value)}>
              <option value="">Choose…</option>
              {(bases.data?.bases ?? []).map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name} ({formatBytes(b.size)}, {b.volumeId})
                </option>
              ))}
              <option value="__path">A file path…</option>
            </select>
          </Field>
          {base === '__path' && (
            <Field label="Base ISO path" htmlFor="media-base-path" hint="An ISO file on this machine">
              <input
                id="media-base-path"
                value={basePath}
                onChange={(e) => setBasePath(e.target.value)}
                placeholder="/path/to/installer.iso"
              />
            </Field>
          )}
        </div>
        <fieldset className="media-source">
          <legend>User-data</legend>
          <label>
            <input
              type="radio"
              name="media-source"
              checked={source === 'profile'}
              onChange={() => setSource('profile')}
            />{' '}
            From a profile
          </label>
          <label>
            <input
              type="radio"
              name="media-source"
              checked={source === 'text'}
              onChange={() => setSource('text')}
            />{' '}
            Paste user-data
          </label>
        </fieldset>
        {source === 'profile' ? (
          <div className="grid-2">
            <Field
              label="Profile"
              htmlFor="media-profile"
              error={formError && !profile ? formError : undefined}
            >
              <select id="media-profile" value={profile} onChange={(e) => setProfile(e.target.value)}>
                <option value="">Choose…</option>
                {profileNames.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              label="Host (optional)"
              htmlFor="media-host"
              hint="Renders the profile for this host: its ID, network values and tags"
            >
              <select id="media-host" value={hostId} onChange={(e) => setHostId(e.target.value)}>
                <option value="">No host: the profile as is</option>
                {hostList.map((h) => (
                  <option key={h.id} value={h.id}>
                    {h.id}
                    {h.site ? ` (${h.site})` : ''}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        ) : (
          <Field label="User-data (#cloud-config)" htmlFor="media-userdata">
            <textarea
              id="media-userdata"
              rows={8}
              className="mono"
              value={text}
              onChange={(e) => setText(e.target.value)}
              spellCheck={false}
            />
          </Field>
        )}
        <div className="grid-2">
          <Field
            label="Output file (optional)"
            htmlFor="media-out"
            hint="Default: the media folder of the data directory"
          >
            <input
              id="media-out"
              value={out}
              onChange={(e) => setOut(e.target.value)}
              placeholder="/path/to/site-a.iso"
            />
          </Field>
          <label className="media-force">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Replace an
            existing output
          </label>
        </div>
        <div className="row">
          <button type="submit" className="primary" disabled={action.running}>
            {action.running ? 'Building…' : kind === 'iso' ? 'Build ISO' : 'Build'}
          </button>
          {action.running && (
            <button type="button" onClick={action.cancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
      {action.running && (
        <ProgressBar progress={action.progress ?? { phase: 'starting', percent: 0 }} label="Build progress" />
      )}
      <ErrorBox error={action.error} onDismiss={() => action.setError(undefined)} />
      {details?.lines && (
        <pre className="yaml media-diagnostics" aria-label="User-data errors">
          {details.lines.join('\n')}
        </pre>
      )}
      {otherResult && !action.running && !action.error && (
        <div className="media-result" role="status" aria-label="Build result">
          <strong>
            Built {otherResult.path} ({otherResult.kind}, {formatBytes(otherResult.size)})
          </strong>
          <div className="mono">SHA-256 {otherResult.sha256}</div>
        </div>
      )}
      {kind === 'iso' && build.result && !build.running && !build.error && (
        <div className="media-result" role="status" aria-label="Build result">
          <strong>Built {build.result.path}</strong>
          {build.result.warnings.map((w) => (
            <div key={w.code} className="warning-box">
              {w.code}: {w.message}
            </div>
          ))}
          <table className="data">
            <tbody>
              <tr>
                <th>SHA-256</th>
                <td className="mono">{build.result.sha256}</td>
              </tr>
              <tr>
                <th>Size</th>
                <td>{formatBytes(build.result.size)}</td>
              </tr>
              <tr>
                <th>Base SHA-256</th>
                <td className="mono">{build.result.baseSha256}</td>
              </tr>
              <tr>
                <th>User-data</th>
                <td>
                  <span className="mono">{build.result.userDataSha256.slice(0, 16)}…</span> from{' '}
                  {build.result.userDataSource}
                </td>
              </tr>
              <tr>
                <th>Boot</th>
                <td>{build.result.boot.join('; ')}</td>
              </tr>
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
