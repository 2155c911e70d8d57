// The live YAML preview and the list of every finding with line:col.
import type { Diagnostic, UserDataReport } from '../../../../shared/userdata/diagnostics';

/** Focus the wizard field a finding belongs to, else put the raw YAML editor's cursor on it. */
function goTo(d: Diagnostic, fieldId: string | undefined) {
  const el = fieldId ? document.getElementById(fieldId) : null;
  if (el) {
    el.scrollIntoView({ block: 'center' });
    el.focus();
    return;
  }
  const raw = document.getElementById('ud-raw') as HTMLTextAreaElement | null;
  if (!raw) return;
  const lines = raw.value.split('\n');
  const offset = lines.slice(0, d.line - 1).reduce((n, l) => n + l.length + 1, 0) + d.column - 1;
  raw.scrollIntoView({ block: 'center' });
  raw.focus();
  raw.setSelectionRange(offset, offset);
}

export function PreviewPane({
  text,
  report,
  pending,
  fieldIdFor,
}: {
  text: string;
  report?: UserDataReport;
  pending: boolean;
  /** The DOM id of the wizard field for a diagnostic's key path, if it has one. */
  fieldIdFor(path: string): string | undefined;
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
              <button
                type="button"
                className="link ud-goto"
                title="Go to this finding"
                onClick={() => goTo(d, fieldIdFor(d.path))}
              >
                {d.path || '(document)'}
              </button>{' '}
              {d.message}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
