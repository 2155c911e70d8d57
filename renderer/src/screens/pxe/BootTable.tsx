// Hosts and the MACs seen on the wire, each with its boot progress and live timeline.
import { Fragment, useState } from 'react';
import type { BootEvent, PxeStatus } from '../../../../shared/contract/pxe';

export const STEPS: Array<{ kind: BootEvent['kind']; label: string }> = [
  { kind: 'dhcp-discover', label: 'DHCP' },
  { kind: 'proxy-offer', label: 'Offer' },
  { kind: 'tftp-file', label: 'TFTP' },
  { kind: 'http-script', label: 'Script' },
  { kind: 'http-kernel', label: 'Kernel' },
  { kind: 'http-initrd', label: 'Initrd' },
  { kind: 'userdata-fetched', label: 'User-data' },
];

export interface MacRow {
  mac: string;
  hostId?: string;
  source?: string;
  events: BootEvent[];
}

export function buildRows(hosts: PxeStatus['hosts'], events: BootEvent[]): MacRow[] {
  const rows = new Map<string, MacRow>();
  for (const h of hosts) rows.set(h.mac, { mac: h.mac, hostId: h.hostId, source: h.source, events: [] });
  for (const e of events) {
    const r = rows.get(e.mac) ?? { mac: e.mac, hostId: e.hostId, events: [] };
    if (!r.hostId && e.hostId) r.hostId = e.hostId;
    r.events.push(e);
    rows.set(e.mac, r);
  }
  return [...rows.values()].sort((a, b) => {
    const ta = a.events.at(-1)?.time ?? '';
    const tb = b.events.at(-1)?.time ?? '';
    return tb.localeCompare(ta) || a.mac.localeCompare(b.mac);
  });
}

function state(r: MacRow): { cls: string; text: string } {
  const last = r.events.at(-1);
  if (!last) return { cls: '', text: 'waiting' };
  if (last.kind === 'error') return { cls: 'fail', text: 'error' };
  if (r.events.some((e) => e.kind === 'userdata-fetched')) return { cls: 'ok', text: 'installing' };
  if (last.kind === 'ignored') return { cls: 'warn', text: 'ignored' };
  return { cls: 'warn', text: 'booting' };
}

export function BootTable({ rows }: { rows: MacRow[] }) {
  const [open, setOpen] = useState<string>();
  if (!rows.length) return <p className="muted">No hosts with a MAC and no boot events yet.</p>;
  return (
    <table className="data pxe-table" aria-label="Boot timeline per machine">
      <thead>
        <tr>
          <th>MAC</th>
          <th>Host</th>
          <th>Progress</th>
          <th>Last event</th>
          <th>State</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const st = state(r);
          const last = r.events.at(-1);
          const seen = new Set(r.events.map((e) => e.kind));
          const isOpen = open === r.mac;
          return (
            <Fragment key={r.mac}>
              <tr data-mac={r.mac}>
                <td className="mono">
                  <button
                    type="button"
                    className="link"
                    aria-expanded={isOpen}
                    onClick={() => setOpen(isOpen ? undefined : r.mac)}
                    title="Show this machine's timeline"
                  >
                    {isOpen ? '▾' : '▸'} {r.mac}
                  </button>
                </td>
                <td>{r.hostId ?? <span className="muted">unknown</span>}</td>
                <td>
                  <ol className="pxe-steps">
                    {STEPS.map((s) => (
                      <li
                        key={s.kind}
                        className={seen.has(s.kind) ? 'done' : ''}
                        aria-label={`${s.label}${seen.has(s.kind) ? ' done' : ''}`}
                      >
                        {s.label}
                      </li>
                    ))}
                  </ol>
                </td>
                <td className="pxe-last">
                  {last ? `${new Date(last.time).toLocaleTimeString()} ${last.message}` : '—'}
                </td>
                <td>
                  <span className={`badge ${st.cls}`}>{st.text}</span>
                </td>
              </tr>
              {isOpen && (
                <tr className="pxe-timeline-row">
                  <td colSpan={5}>
                    <ol className="pxe-timeline" aria-label={`Timeline of ${r.mac}`}>
                      {r.events.map((e, i) => (
                        <li key={e.id ?? i} className={`k-${e.kind}`}>
                          <time>{new Date(e.time).toLocaleTimeString()}</time> <code>{e.kind}</code>{' '}
                          {e.message}
                        </li>
                      ))}
                    </ol>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
