// Hosts: Edgebench's registration state beside Palette's, register selected, queue and sync.
import { useEffect, useState } from 'react';
import type { ResponseOf } from '../../../../shared/contract';
import { ErrorBox, ProgressBar, Section } from '../../ui/components';
import { useAction, useEvent, useQuery } from '../../ui/hooks';

type Row = ResponseOf<'register.hosts'>['rows'][number];

const EB_BADGE: Record<Row['edgebench'], string> = {
  'not-registered': '',
  queued: 'warn',
  'in-flight': 'warn',
  registered: 'ok',
  failed: 'fail',
};
const PAL_BADGE: Record<string, string> = { ready: 'ok', 'in-use': 'ok', unpaired: 'warn' };

export function HostsPanel({
  sites,
  selected,
  setSelected,
  version,
}: {
  sites: string[];
  selected: string[];
  setSelected: (s: string[]) => void;
  version: number;
}) {
  const hosts = useQuery('register.hosts', {}, [version]);
  const enqueue = useAction('register.enqueue');
  const sync = useAction('register.sync');
  const refresh = useAction('palette.hosts');
  const retry = useAction('register.retry');
  const check = useAction('palette.check');
  const [tags, setTags] = useState('');
  const [site, setSite] = useState('');
  useEvent('register.changed', () => void hosts.reload());
  const rows = hosts.data?.rows ?? [];
  const pending = hosts.data?.pending ?? 0;

  // When work is queued, look for the network every 15 s and replay as soon as Palette answers.
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(async () => {
      if (sync.running) return;
      const c = await check.run({});
      if (c?.reachable && (await sync.run({}))?.done) await refresh.run({});
    }, 15_000);
    return () => clearInterval(t);
  }, [pending, sync.running]);

  const parseTags = (): Record<string, string> | undefined => {
    const out: Record<string, string> = {};
    for (const p of tags
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const i = p.indexOf('=');
      if (i <= 0) return undefined;
      out[p.slice(0, i)] = p.slice(i + 1);
    }
    return out;
  };
  const tagMap = parseTags();
  const toggle = (id: string) =>
    setSelected(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);
  const registerSelected = async () => {
    if (!tagMap) return;
    const r = await enqueue.run({ hostIds: selected, tags: tagMap, site: site || undefined });
    // Show Palette's view of the hosts just registered.
    if (r?.sync?.done) await refresh.run({});
    await hosts.reload();
  };
  return (
    <Section
      title="Hosts"
      actions={
        <button
          type="button"
          onClick={async () => (await refresh.run({})) && hosts.reload()}
          disabled={refresh.running}
        >
          {refresh.running ? 'Refreshing…' : 'Refresh Palette states'}
        </button>
      }
    >
      <ErrorBox error={hosts.error ?? refresh.error} />
      <div className="row reg-queue" data-testid="queue-status">
        <span className={`badge ${pending ? 'warn' : 'ok'}`}>
          {pending ? `${pending} queued` : 'queue empty'}
        </span>
        <button
          type="button"
          onClick={async () => {
            const r = await sync.run({});
            if (r?.done) await refresh.run({});
            await hosts.reload();
          }}
          disabled={sync.running || !pending}
        >
          {sync.running ? 'Syncing…' : 'Sync now'}
        </button>
        {sync.running && (
          <button type="button" onClick={sync.cancel}>
            Cancel
          </button>
        )}
        {sync.result && (
          <span className="muted" data-testid="sync-result">
            last sync: {sync.result.done} registered, {sync.result.failed} failed, {sync.result.pending}{' '}
            pending
            {sync.result.stoppedBy ? ` (stopped: ${sync.result.stoppedBy.code})` : ''}
          </span>
        )}
        {pending > 0 && <span className="muted">retried automatically when Palette answers</span>}
      </div>
      <ProgressBar progress={sync.running ? sync.progress : enqueue.running ? enqueue.progress : undefined} />
      <ErrorBox error={sync.error ?? enqueue.error ?? retry.error} />
      {sync.result?.stoppedBy && <ErrorBox error={sync.result.stoppedBy as never} />}
      <div className="row reg-toolbar">
        <label htmlFor="reg-tags">Tags</label>
        <input
          id="reg-tags"
          placeholder="k=v,k=v"
          value={tags}
          onChange={(e) => setTags(e.target.value)}
          aria-invalid={!tagMap}
        />
        <label htmlFor="reg-site">Site</label>
        <select id="reg-site" value={site} onChange={(e) => setSite(e.target.value)}>
          <option value="">(keep)</option>
          {sites.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <button
          type="button"
          className="primary"
          disabled={!selected.length || enqueue.running || !tagMap}
          onClick={() => void registerSelected()}
        >
          Register selected ({selected.length})
        </button>
        {!tagMap && <span className="field-error">tags are k=v separated by commas</span>}
      </div>
      {rows.length === 0 && !hosts.loading && (
        <p className="muted">No hosts in the store yet (add them on the Hosts screen).</p>
      )}
      {rows.length > 0 && (
        <table className="data" data-testid="register-hosts">
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label="select all"
                  checked={selected.length === rows.length}
                  onChange={(e) => setSelected(e.target.checked ? rows.map((r) => r.hostId) : [])}
                />
              </th>
              <th>Host ID</th>
              <th>Site</th>
              <th>Edgebench</th>
              <th>Palette</th>
              <th>Health</th>
              <th>Cluster</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.hostId} data-host={r.hostId}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`select ${r.hostId}`}
                    checked={selected.includes(r.hostId)}
                    onChange={() => toggle(r.hostId)}
                  />
                </td>
                <td className="mono">{r.hostId}</td>
                <td>{r.site ?? '-'}</td>
                <td>
                  <span className={`badge ${EB_BADGE[r.edgebench]}`} data-testid="eb-state">
                    {r.edgebench}
                  </span>
                  {r.edgebench === 'failed' && r.job && (
                    <>
                      {' '}
                      <button
                        type="button"
                        className="link"
                        title={r.job.lastError?.message}
                        onClick={async () => (await retry.run({ id: r.job!.id })) && hosts.reload()}
                      >
                        retry
                      </button>
                      <div className="field-error">
                        {r.job.lastError?.code}: {r.job.lastError?.message}
                      </div>
                    </>
                  )}
                  {r.edgebench === 'queued' && r.job?.lastError && (
                    <div className="muted small">{r.job.lastError.code}</div>
                  )}
                </td>
                <td>
                  <span
                    className={`badge ${PAL_BADGE[r.palette?.state ?? ''] ?? ''}`}
                    data-testid="palette-state"
                  >
                    {r.palette?.state ?? '—'}
                  </span>
                </td>
                <td>{r.palette?.health ?? '—'}</td>
                <td>{r.palette?.clusters.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
