// "These drives will be erased": the last look before writing. Large drives need a tick,
// a system drive needs its path typed back.
import { useEffect, useRef, useState } from 'react';
import { formatBytes } from '../../../../shared/format';
import type { DriveRow } from './DriveTable';

export interface Confirmation {
  ackLarge: string[];
  allowSystemDrive?: string;
}

export function ConfirmDialog({
  image,
  drives,
  verify,
  onCancel,
  onConfirm,
}: {
  image: string;
  drives: DriveRow[];
  verify: boolean;
  onCancel(): void;
  onConfirm(c: Confirmation): void;
}) {
  const large = drives.filter((d) => d.warnings.some((w) => w.code === 'ELARGEDRIVE'));
  const system = drives.find((d) => d.warnings.some((w) => w.code === 'ESYSTEMDRIVE'));
  const [acked, setAcked] = useState<Set<string>>(new Set());
  const [typed, setTyped] = useState('');
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    first.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);
  const ready = large.every((d) => acked.has(d.path)) && (!system || typed.trim() === system.path);
  return (
    <div className="flash-backdrop">
      <div
        className="flash-dialog panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="flash-confirm-title"
      >
        <h2 id="flash-confirm-title">
          Erase {drives.length === 1 ? 'this drive' : `these ${drives.length} drives`}?
        </h2>
        <p>
          Everything on {drives.length === 1 ? 'it' : 'them'} is replaced by{' '}
          <span className="mono">{image}</span>
          {verify ? ', then read back and verified.' : ' (verification is OFF).'}
        </p>
        <ul className="flash-erase-list">
          {drives.map((d) => (
            <li key={d.path}>
              <strong className="mono">{d.path}</strong> {d.size !== null ? formatBytes(d.size) : ''} ·{' '}
              {d.description}
              {d.serial ? ` · serial ${d.serial}` : ''}
              {d.mountpoints.length > 0 && (
                <div className="muted">
                  Mounted at {d.mountpoints.map((m) => m.path).join(', ')}: will be unmounted.
                </div>
              )}
            </li>
          ))}
        </ul>
        {large.map((d) => (
          <label key={d.path} className="flash-ack warning-box">
            <input
              type="checkbox"
              checked={acked.has(d.path)}
              onChange={(e) => {
                const n = new Set(acked);
                if (e.target.checked) n.add(d.path);
                else n.delete(d.path);
                setAcked(n);
              }}
            />{' '}
            {d.path} is {d.size !== null ? formatBytes(d.size) : 'large'}: is this really a USB stick? I
            checked it is.
          </label>
        ))}
        {system && (
          <div className="field warning-box">
            <label htmlFor="flash-typed">
              {system.path} holds the running system. Type <span className="mono">{system.path}</span> to
              erase it anyway.
            </label>
            <input
              id="flash-typed"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
            />
          </div>
        )}
        <div className="row flash-dialog-actions">
          <button type="button" ref={first} onClick={onCancel}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            disabled={!ready}
            onClick={() =>
              onConfirm({ ackLarge: [...acked], allowSystemDrive: system ? typed.trim() : undefined })
            }
          >
            Erase and flash
          </button>
        </div>
      </div>
    </div>
  );
}
