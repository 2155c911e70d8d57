// The live YAML preview and the list of every finding with line:col.
import type { UserDataReport } from '../../../../shared/userdata/diagnostics';

export function PreviewPane({
  text,
  report,
  pending,
}: {
  text: string;
  report?: UserDataReport;
  pending: boolean;
}) {
  const all = [...(report?.errors ?? []), ...(report?.warnings ?? [])];
  return (
    <aside className="ud-preview" aria-label="User-data preview">
      <div className="panel-head">
        <h2 id="ud-preview-title">Preview</h2>
        <span aria-live="polite" id="ud-status">
          {pending ? (
            <span className="badge">updating…</span>
          ) : report?.valid ? (
            <span className="badge ok">
              valid
              {report.warnings.length
                ? ` · ${report.warnings.length} warning${report.warnings.length > 1 ? 's' : ''}`
                : ''}
            </span>
          ) : report ? (
            <span className="badge fail">
              {report.errors.length} error{report.errors.length > 1 ? 's' : ''}
            </span>
          ) : null}
        </span>
      </div>
      <pre className="yaml" id="ud-preview" aria-labelledby="ud-preview-title" tabIndex={0}>
        {text}
      </pre>
      <h3 className="ud-sub">Findings</h3>
      {all.length === 0 ? (
        <p className="muted" id="ud-diagnostics-empty">
          No findings.
        </p>
      ) : (
        <ul className="ud-diagnostics" id="ud-diagnostics">
          {all.map((d, i) => (
            <li key={i} className={d.severity} data-rule={d.rule} data-path={d.path}>
              <span className={`badge ${d.severity === 'error' ? 'fail' : 'warn'}`}>
                {d.line}:{d.column}
              </span>{' '}
              <code>{d.path || '(document)'}</code> {d.message}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
