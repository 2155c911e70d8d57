// Built media with hashes; hand one to Flash (#flash/artifact=<id>) or PXE (#pxe/image=<id>).
import { formatBytes } from '../../../../shared/format';
import type { ResponseOf } from '../../../../shared/contract';
import { ErrorBox, Section } from '../../ui/components';

type Artifact = ResponseOf<'media.artifacts.list'>['artifacts'][number];

const FLASHABLE = new Set(['iso', 'site-iso', 'site-fat', 'raw']);
const BOOTABLE = new Set(['iso', 'raw']);

export function ArtifactsPanel({
  artifacts,
  error,
  onInspect,
}: {
  artifacts: Artifact[];
  error?: Parameters<typeof ErrorBox>[0]['error'];
  onInspect: (path: string) => void;
}) {
  return (
    <Section title="Built media">
      <ErrorBox error={error} />
      {!artifacts.length ? (
        <p className="muted">Nothing built yet.</p>
      ) : (
        <table className="data media-artifacts" aria-label="Built media">
          <thead>
            <tr>
              <th>Kind</th>
              <th>File</th>
              <th>Size</th>
              <th>SHA-256</th>
              <th>Profile / host</th>
              <th>Built</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {artifacts.map((a) => (
              <tr key={a.id} data-artifact={a.id}>
                <td>
                  <span className="badge">{a.kind}</span>
                </td>
                <td className="media-path" title={a.path}>
                  {a.path.split('/').pop()}
                </td>
                <td>{formatBytes(a.size)}</td>
                <td className="mono media-sha" title={a.sha256}>
                  {a.sha256.slice(0, 16)}…
                </td>
                <td>
                  {a.profile ?? '-'}
                  {a.hostId ? ` / ${a.hostId}` : ''}
                </td>
                <td>{new Date(a.createdAt).toLocaleString()}</td>
                <td className="media-actions">
                  {FLASHABLE.has(a.kind) && (
                    <a
                      className="button"
                      href={`#flash/artifact=${encodeURIComponent(a.id)}`}
                      aria-label={`Flash ${a.path.split('/').pop()}`}
                    >
                      Flash
                    </a>
                  )}
                  {BOOTABLE.has(a.kind) && (
                    <a
                      className="button"
                      href={`#pxe/image=${encodeURIComponent(a.id)}`}
                      aria-label={`PXE boot ${a.path.split('/').pop()}`}
                    >
                      PXE
                    </a>
                  )}
                  {(a.kind === 'iso' || a.kind === 'site-iso') && (
                    <button type="button" onClick={() => onInspect(a.path)}>
                      Inspect
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
