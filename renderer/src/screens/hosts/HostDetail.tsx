// One host's record: identity, what was built and written, registration, and its whole history.
import type { ReactNode } from 'react';
import type { ResponseOf } from '../../../../shared/contract';
import { ErrorBox, Section } from '../../ui/components';
import { useQuery } from '../../ui/hooks';
import { StateBadge } from '../staging/StateBadge';
import { FlashRecords } from '../flash/FlashRecords';

type Detail = ResponseOf<'inventory.host'>;

function Facts({ d }: { d: Detail }) {
  const r = d.row;
  const rows: Array<[string, ReactNode]> = [
    ['State', <StateBadge key="s" state={r.state} />],
    ['Site / profile', `${r.site ?? '-'} / ${r.profile ?? '-'}`],
    ['MAC / serial', `${r.mac ?? '-'} / ${r.serial ?? '-'}`],
    ['Static IP', r.ipAddress ?? 'DHCP'],
    ['Delivery', r.delivery ?? '-'],
    ['User-data SHA-256', <code key="u">{r.userDataSha256 ?? '-'}</code>],
    ['Media SHA-256', <code key="m">{r.mediaSha256 ?? '-'}</code>],
    [
      'Drives',
      r.drives.length
        ? r.drives
            .map(
              (x) =>
                `${x.target}${x.serial ? ` (${x.serial})` : ''} ${x.verified ? 'verified' : 'NOT verified'} ${x.time}`,
            )
            .join('; ')
        : '-',
    ],
    ['PXE boots', String(r.pxeBoots)],
    ['Palette registration', r.registration ?? '-'],
    ['Cluster', r.cluster ?? '-'],
    ['Label', r.label ?? '-'],
    [
      'Tags',
      Object.entries(r.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || '-',
    ],
    ['Runs', d.runs.join(', ') || '-'],
  ];
  return (
    <table className="data hosts-facts">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function HostDetail({ hostId, onClose }: { hostId: string; onClose(): void }) {
  const q = useQuery('inventory.host', { hostId }, [hostId]);
  return (
    <Section
      title={`Host ${hostId}`}
      actions={
        <button type="button" onClick={onClose}>
          Close
        </button>
      }
    >
      {q.error && <ErrorBox error={q.error} />}
      {q.data && (
        <div className="hosts-detail" data-testid="host-detail">
          <Facts d={q.data} />
          {q.data.row.failures.length > 0 && (
            <div className="error-box">
              {q.data.row.failures.map((f, i) => (
                <div key={i}>
                  <strong>{f.step}</strong>: <code>{f.code}</code> {f.message}
                </div>
              ))}
            </div>
          )}
          <h3>Flash records</h3>
          <FlashRecords hostId={hostId} limit={50} />
          <h3>History</h3>
          <table className="data" aria-label="History">
            <thead>
              <tr>
                <th>Time</th>
                <th>What</th>
                <th>Detail</th>
                <th>Run</th>
              </tr>
            </thead>
            <tbody>
              {q.data.history.map((h, i) => (
                <tr key={i}>
                  <td className="mono">{h.time.replace('T', ' ').slice(0, 19)}</td>
                  <td className="mono">{h.kind}</td>
                  <td>{h.message}</td>
                  <td className="mono">{h.runId ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
