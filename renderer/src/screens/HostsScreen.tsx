// Hosts screen: the inventory. Search, a table of every host's state, a host's record with its
// history (also reachable as #hosts/<id>), and export as CSV or JSON.
import { useEffect, useState } from 'react';
import type { ErrorData } from '../../../shared/errors';
import { getClient } from '../client';
import { ErrorBox, Section } from '../ui/components';
import { toErrorData, useEvent, useQuery } from '../ui/hooks';
import { HostDetail } from './hosts/HostDetail';
import { downloadText } from './staging/download';
import { StateBadge } from './staging/StateBadge';
import './hosts/hosts.css';

const hostFromHash = () => {
  const m = /^#hosts\/(.+)$/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : undefined;
};

export function HostsScreen() {
  const [query, setQuery] = useState('');
  const [applied, setApplied] = useState('');
  const [selected, setSelected] = useState<string | undefined>(hostFromHash);
  const [error, setError] = useState<ErrorData>();
  const list = useQuery('inventory.list', { query: applied || undefined, limit: 2000 }, [applied]);
  useEffect(() => {
    const t = setTimeout(() => setApplied(query.trim()), 250);
    return () => clearTimeout(t);
  }, [query]);
  useEffect(() => {
    const on = () => setSelected(hostFromHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  useEvent('staging.run', () => void list.reload());
  useEvent('hosts.changed', () => void list.reload());
  const open = (id?: string) => {
    setSelected(id);
    history.replaceState(null, '', id ? `#hosts/${encodeURIComponent(id)}` : '#hosts');
  };
  const exportAs = async (format: 'csv' | 'json') => {
    try {
      const r = await getClient().invoke('inventory.export', { format, query: applied || undefined });
      downloadText(r.fileName, r.text, format);
    } catch (e) {
      setError(toErrorData(e));
    }
  };
  const rows = list.data?.rows ?? [];
  return (
    <div className="hosts">
      <Section
        title="Hosts"
        actions={
          <>
            <button type="button" onClick={() => exportAs('csv')} data-testid="export-csv">
              Export CSV
            </button>
            <button type="button" onClick={() => exportAs('json')}>
              Export JSON
            </button>
          </>
        }
      >
        <div className="row">
          <input
            type="search"
            aria-label="Search hosts"
            placeholder="Search ID, serial, MAC, site, profile, state, tag…"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            className="hosts-search"
          />
          <span className="muted">
            {list.data ? `${rows.length} of ${list.data.total} host(s)` : list.loading ? 'Loading…' : ''}
          </span>
        </div>
        <ErrorBox error={error ?? list.error} onDismiss={() => setError(undefined)} />
        <div className="hosts-table">
          <table className="data" aria-label="Inventory">
            <thead>
              <tr>
                <th>Host ID</th>
                <th>State</th>
                <th>Site</th>
                <th>MAC</th>
                <th>Serial</th>
                <th>IP</th>
                <th>Delivery</th>
                <th>Drives</th>
                <th>PXE</th>
                <th>Palette</th>
                <th>Last run</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.hostId} className={selected === r.hostId ? 'selected' : ''} data-host={r.hostId}>
                  <td>
                    <button type="button" className="link" onClick={() => open(r.hostId)}>
                      {r.hostId}
                    </button>
                  </td>
                  <td>
                    <StateBadge
                      state={r.state}
                      title={r.failures.map((f) => `${f.step}: ${f.code}: ${f.message}`).join('\n')}
                    />
                  </td>
                  <td>{r.site ?? ''}</td>
                  <td className="mono">{r.mac ?? ''}</td>
                  <td>{r.serial ?? ''}</td>
                  <td className="mono">{r.ipAddress ?? ''}</td>
                  <td>{r.delivery ?? ''}</td>
                  <td>
                    {r.drives.length
                      ? `${r.drives.filter((d) => d.verified).length}/${r.drives.length} verified`
                      : ''}
                  </td>
                  <td>{r.pxeBoots || ''}</td>
                  <td>{r.registration ? <StateBadge state={r.registration} /> : ''}</td>
                  <td className="mono muted">{r.lastRunId ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data && rows.length === 0 && (
            <p className="muted">
              {applied ? 'No host matches.' : 'No hosts yet: stage a manifest or add hosts.'}
            </p>
          )}
        </div>
      </Section>
      {selected && <HostDetail hostId={selected} onClose={() => open(undefined)} />}
    </div>
  );
}
