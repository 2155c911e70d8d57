// Small building blocks shared by the screens.
import type { ReactNode } from 'react';
import { describeError, type ErrorData } from '../../../shared/errors';
import type { EventOf } from '../../../shared/contract';
import { formatBytes, formatDuration } from '../../../shared/format';

/** Explains an error with the one table in shared/errors.ts. Never "Something went wrong". */
export function ErrorBox({ error, onDismiss }: { error?: ErrorData; onDismiss?: () => void }) {
  if (!error) return null;
  const d = describeError(error);
  return (
    <div className="error-box" role="alert" data-code={error.code}>
      <strong>
        {d.title} <code>{error.code}</code>
      </strong>
      <div className="error-message">{d.message}</div>
      <div className="error-hint">{d.hint}</div>
      {onDismiss && (
        <button type="button" className="link" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

export function ProgressBar({
  progress,
  label,
}: {
  progress?: Partial<EventOf<'progress'>>;
  label?: string;
}) {
  if (!progress) return null;
  const pct = Math.max(0, Math.min(100, progress.percent ?? 0));
  return (
    <div className="progress" aria-label={label ?? progress.phase}>
      <div className="progress-head">
        <span>
          {progress.item ? `${progress.item}: ` : ''}
          {progress.phase}
        </span>
        <span>
          {pct.toFixed(0)}%{progress.speed ? ` · ${formatBytes(progress.speed)}/s` : ''}
          {progress.etaSeconds !== undefined ? ` · ETA ${formatDuration(progress.etaSeconds)}` : ''}
        </span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-valuenow={Math.round(pct)}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function Field({
  label,
  htmlFor,
  error,
  hint,
  children,
}: {
  label: string;
  htmlFor: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint && !error && <div className="field-hint">{hint}</div>}
      {error && (
        <div className="field-error" role="alert" id={`${htmlFor}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}

export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="panel">
      <header className="panel-head">
        <h2>{title}</h2>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
