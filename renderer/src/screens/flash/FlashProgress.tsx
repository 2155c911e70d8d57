// Per-drive progress while flashing, and per-drive results with the sentence for each code.
import type { EventOf, ResponseOf } from '../../../../shared/contract';
import { isErrorCode } from '../../../../shared/errors';
import { formatBytes } from '../../../../shared/format';
import { ErrorBox, ProgressBar } from '../../ui/components';

type Progress = EventOf<'progress'>;
type Result = ResponseOf<'flash.start'>['results'][number];

export function FlashProgress({ targets, progress }: { targets: string[]; progress: Map<string, Progress> }) {
  return (
    <div className="flash-progress" aria-live="polite">
      {targets.map((t) => (
        <div key={t} className="flash-progress-row" data-target={t}>
          <ProgressBar
            label={`${t} progress`}
            progress={progress.get(t) ?? { phase: 'waiting', item: t, percent: 0 }}
          />
        </div>
      ))}
    </div>
  );
}

export function FlashResults({ results }: { results: Result[] }) {
  return (
    <ul className="flash-results">
      {results.map((r) => (
        <li key={r.target} className={r.ok ? 'ok' : 'fail'} data-target={r.target} data-code={r.code ?? 'OK'}>
          {r.ok ? (
            <div className="flash-ok">
              <span className="badge ok">
                {r.verified ? 'written and verified' : 'written (not verified)'}
              </span>{' '}
              <span className="mono">{r.target}</span> · {formatBytes(r.bytesWritten)} at{' '}
              {formatBytes(r.speed)}/s
              {r.unmounted?.length ? ` · unmounted ${r.unmounted.join(', ')}` : ''}
            </div>
          ) : (
            <ErrorBox
              error={{
                code: r.code && isErrorCode(r.code) ? r.code : 'EINTERNAL',
                message: r.message ?? `${r.target} failed`,
              }}
            />
          )}
        </li>
      ))}
    </ul>
  );
}
