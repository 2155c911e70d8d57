// Inspect any ISO by path: volume, boot paths, Kairos layout, embedded user-data (validated).
import { formatBytes } from '../../../../shared/format';
import { ErrorBox, Field, ProgressBar, Section } from '../../ui/components';
import { useAction } from '../../ui/hooks';

export function InspectPanel({ path, setPath }: { path: string; setPath: (p: string) => void }) {
  const inspect = useAction('media.inspect');
  const r = inspect.result;
  return (
    <Section title="Inspect an ISO">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void inspect.run({ path: path.trim() });
        }}
      >
        <Field label="ISO path" htmlFor="media-inspect-path">
          <input
            id="media-inspect-path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/path/to/image.iso"
          />
        </Field>
        <button type="submit" disabled={inspect.running || !path.trim()}>
          Inspect ISO
        </button>
      </form>
      {inspect.running && <ProgressBar progress={inspect.progress ?? { phase: 'probe', percent: 0 }} />}
      <ErrorBox error={inspect.error} onDismiss={() => inspect.setError(undefined)} />
      {r && !inspect.running && !inspect.error && (
        <div aria-label="Inspection" className="media-inspection">
          {r.warnings.map((w) => (
            <div key={w.code} className="warning-box">
              {w.code}: {w.message}
            </div>
          ))}
          <table className="data">
            <tbody>
              <tr>
                <th>Volume id</th>
                <td className="mono">{r.probe.volumeId || '(none)'}</td>
              </tr>
              <tr>
                <th>Size</th>
                <td>{formatBytes(r.size)}</td>
              </tr>
              <tr>
                <th>SHA-256</th>
                <td className="mono">{r.sha256}</td>
              </tr>
              <tr>
                <th>Boots</th>
                <td>
                  <span className={`badge ${r.probe.bootsBios ? 'ok' : 'fail'}`}>BIOS</span>{' '}
                  <span className={`badge ${r.probe.bootsUefi ? 'ok' : 'fail'}`}>UEFI</span>{' '}
                  <span className={`badge ${r.probe.hybrid ? 'ok' : 'warn'}`}>
                    {r.probe.hybrid ? 'USB (hybrid)' : 'CD only'}
                  </span>
                  <ul className="media-boot">
                    {r.boot.map((b) => (
                      <li key={b}>{b}</li>
                    ))}
                  </ul>
                </td>
              </tr>
              <tr>
                <th>Kairos layout</th>
                <td>
                  {r.kairos.isKairosLayout ? 'yes' : 'no'}: kernel {r.kairos.kernel ?? 'missing'}, initrd{' '}
                  {r.kairos.initrd ?? 'missing'}, squashfs {r.kairos.squashfs ?? 'none'}
                </td>
              </tr>
            </tbody>
          </table>
          {r.userData.length === 0 && <p className="muted">No embedded user-data (#cloud-config *.yaml).</p>}
          {r.userData.map((u) => (
            <div key={u.path}>
              <h3>
                {u.path}{' '}
                {u.report ? (
                  <span className={`badge ${u.report.valid ? 'ok' : 'fail'}`}>
                    {u.report.valid ? 'valid' : `${u.report.errors.length} error(s)`}
                  </span>
                ) : (
                  <span className="badge warn">{u.validationError}</span>
                )}
              </h3>
              {u.report?.errors.map((d) => (
                <div key={`${d.line}:${d.column}:${d.rule}`} className="field-error">
                  line {d.line}:{d.column} {d.path} {d.message}
                </div>
              ))}
              <pre className="yaml">{u.text}</pre>
            </div>
          ))}
        </div>
      )}
    </Section>
  );
}
