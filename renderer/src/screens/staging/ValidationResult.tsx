// The result of validating a manifest: counts, then every issue with its row and column.
import type { ManifestCheck } from '../../../../shared/contract/staging';

export function ValidationResult({ check }: { check: ManifestCheck }) {
  const errors = check.issues.filter((i) => i.severity === 'error');
  const warnings = check.issues.filter((i) => i.severity === 'warning');
  return (
    <div className="st-validation" data-testid="validation" data-ok={check.ok}>
      <p>
        {check.ok ? (
          <span className="badge ok">valid</span>
        ) : (
          <span className="badge fail">{errors.length} error(s)</span>
        )}{' '}
        {warnings.length > 0 && <span className="badge warn">{warnings.length} warning(s)</span>}{' '}
        <strong>{check.fileName}</strong> ({check.format.toUpperCase()}): {check.counts.hosts} hosts ·{' '}
        {check.counts.usb} USB · {check.counts.pxe} PXE · {check.counts.sites} site(s) ·{' '}
        {check.counts.profiles} profile(s)
        {!check.ok && ' — nothing will start until every error is fixed.'}
      </p>
      {check.issues.length > 0 && (
        <div className="st-scroll">
          <table className="data" aria-label="Manifest issues">
            <thead>
              <tr>
                <th>Row</th>
                <th>Column</th>
                <th>Cell</th>
                <th>Field</th>
                <th>Problem</th>
              </tr>
            </thead>
            <tbody>
              {check.issues.map((i, k) => (
                <tr key={k} className={i.severity === 'error' ? 'st-err' : 'st-warn'}>
                  <td>{i.row}</td>
                  <td>{i.column}</td>
                  <td className="mono">{i.where}</td>
                  <td className="mono">{i.field}</td>
                  <td>
                    {i.severity === 'warning' && <span className="badge warn">warning</span>} {i.message}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
