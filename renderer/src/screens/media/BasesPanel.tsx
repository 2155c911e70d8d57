// Base installer ISOs: add from a path or an HTTPS URL (download with progress), list them.
import { useState } from 'react';
import { formatBytes } from '../../../../shared/format';
import { ErrorBox, Field, ProgressBar, Section } from '../../ui/components';
import { useAction } from '../../ui/hooks';
import type { ResponseOf } from '../../../../shared/contract';

type Base = ResponseOf<'media.bases.list'>['bases'][number];

export function BasesPanel({ bases, onAdded }: { bases: Base[]; onAdded: () => void }) {
  const add = useAction('media.bases.add');
  const [source, setSource] = useState('');
  const [sha, setSha] = useState('');
  return (
    <Section title="Base installer ISOs">
      <form
        className="row media-base-add"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await add.run({ source: source.trim(), sha256: sha.trim() || undefined });
          if (r) {
            setSource('');
            setSha('');
            onAdded();
          }
        }}
      >
        <Field label="Path or HTTPS URL" htmlFor="media-base-source">
          <input
            id="media-base-source"
            value={source}
            onChange={(e) => setSource(e.target.value)}
            placeholder="https://…/palette-edge-installer.iso"
          />
        </Field>
        <Field label="SHA-256 (optional)" htmlFor="media-base-sha">
          <input id="media-base-sha" value={sha} onChange={(e) => setSha(e.target.value)} className="mono" />
        </Field>
        <button type="submit" disabled={add.running || !source.trim()}>
          Add base
        </button>
        {add.running && (
          <button type="button" onClick={add.cancel}>
            Cancel
          </button>
        )}
      </form>
      {add.running && <ProgressBar progress={add.progress ?? { phase: 'starting', percent: 0 }} />}
      <ErrorBox error={add.error} onDismiss={() => add.setError(undefined)} />
      {bases.length > 0 && (
        <table className="data" aria-label="Base ISOs">
          <thead>
            <tr>
              <th>Name</th>
              <th>Volume</th>
              <th>Size</th>
              <th>SHA-256</th>
              <th>Boots</th>
            </tr>
          </thead>
          <tbody>
            {bases.map((b) => (
              <tr key={b.id}>
                <td title={b.path}>{b.name}</td>
                <td className="mono">{b.volumeId}</td>
                <td>{formatBytes(b.size)}</td>
                <td className="mono" title={b.sha256}>
                  {b.sha256.slice(0, 16)}…
                </td>
                <td>
                  {b.meta.bootsBios ? 'BIOS ' : ''}
                  {b.meta.bootsUefi ? 'UEFI ' : ''}
                  {b.meta.hybrid ? '(hybrid)' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
