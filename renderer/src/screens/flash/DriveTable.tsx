// The live drive list: every drive with its warnings; refused drives cannot be ticked.
import type { EventOf, ResponseOf } from '../../../../shared/contract';
import { formatBytes } from '../../../../shared/format';

export type DriveRow = ResponseOf<'flash.drives'>['drives'][number];
export type DriveList = EventOf<'flash.drivesChanged'>['drives'];

/** Hard refusals the UI never lets through (the system drive needs the typed confirmation). */
export function blocked(d: DriveRow): string | undefined {
  if (d.hidden) return d.hidden.message;
  const w = d.warnings.find((x) => x.level === 'refuse' && x.code !== 'ESYSTEMDRIVE');
  return w?.message;
}

export function DriveTable({
  drives,
  selected,
  onToggle,
  disabled,
}: {
  drives: DriveRow[];
  selected: Set<string>;
  onToggle(path: string): void;
  disabled?: boolean;
}) {
  if (!drives.length)
    return (
      <p className="muted" role="status">
        No drives found. Plug in a USB stick: the list refreshes by itself.
      </p>
    );
  return (
    <table className="data flash-drives">
      <thead>
        <tr>
          <th scope="col">
            <span className="sr-only">Select</span>
          </th>
          <th scope="col">Drive</th>
          <th scope="col">Size</th>
          <th scope="col">Bus</th>
          <th scope="col">Vendor / model / serial</th>
          <th scope="col">Mounted at</th>
          <th scope="col">Notes</th>
        </tr>
      </thead>
      <tbody>
        {drives.map((d) => {
          const why = blocked(d);
          const id = `drive-${d.path.replace(/[^a-z0-9]/gi, '-')}`;
          return (
            <tr key={d.path} className={why ? 'flash-blocked' : selected.has(d.path) ? 'flash-selected' : ''}>
              <td>
                <input
                  type="checkbox"
                  id={id}
                  aria-label={`Select ${d.path}`}
                  checked={selected.has(d.path)}
                  disabled={disabled || Boolean(why)}
                  onChange={() => onToggle(d.path)}
                />
              </td>
              <td>
                <label htmlFor={id}>
                  <span className="mono">{d.path}</span>
                  <div className="muted">{d.description}</div>
                </label>
              </td>
              <td>{d.size === null ? (d.kind === 'file' ? 'file' : '-') : formatBytes(d.size)}</td>
              <td>{d.bus}</td>
              <td>
                {[d.vendor, d.model].filter(Boolean).join(' ') || '-'}
                {d.serial && <div className="muted mono">{d.serial}</div>}
              </td>
              <td className="mono">{d.mountpoints.map((m) => m.path).join(', ') || '-'}</td>
              <td>
                {d.hidden && <span className="badge">hidden: {d.hidden.code}</span>}
                {d.test && <span className="badge">test drive</span>}
                {d.warnings.map((w) => (
                  <span
                    key={w.code}
                    className={`badge ${w.level === 'refuse' ? 'fail' : 'warn'}`}
                    title={w.message}
                    data-code={w.code}
                  >
                    {w.code === 'ESYSTEMDRIVE'
                      ? 'system drive'
                      : w.code === 'ESOURCEDRIVE'
                        ? 'holds the image'
                        : w.code === 'EROFS'
                          ? 'read-only'
                          : w.code === 'ETOOSMALL'
                            ? 'too small'
                            : 'large drive'}
                  </span>
                ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
