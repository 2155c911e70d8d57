// One run, live: overall progress with ETA, each host moving through its steps, failures with
// their reason, and the report.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunDetail, StagingProgress } from '../../../../shared/contract/staging';
import { STEPS } from '../../../../shared/contract/staging';
import { describeError, isErrorCode } from '../../../../shared/errors';
import { formatDuration } from '../../../../shared/format';
import { getClient } from '../../client';
import { ErrorBox, ProgressBar, Section } from '../../ui/components';
import { toErrorData, useEvent } from '../../ui/hooks';
import type { ErrorData } from '../../../../shared/errors';
import { downloadText, openHtml } from './download';
import { StateBadge } from './StateBadge';

export function RunView({ runId }: { runId: string }) {
  const [detail, setDetail] = useState<RunDetail>();
  const [progress, setProgress] = useState<StagingProgress>();
  const [error, setError] = useState<ErrorData>();
  const [filter, setFilter] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const load = useCallback(async () => {
    try {
      setDetail(await getClient().invoke('staging.status', { runId }));
      setError(undefined);
    } catch (e) {
      setError(toErrorData(e));
    }
  }, [runId]);
  useEffect(() => {
    setProgress(undefined);
    void load();
    return () => clearTimeout(timer.current);
  }, [load]);
  const schedule = () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void load();
    }, 400);
  };
  useEvent('staging.progress', (e) => {
    if (e.runId !== runId) return;
    setProgress(e);
    schedule();
  });
  useEvent('staging.run', (e) => {
    if (e.runId === runId) void load();
  });
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      setError(undefined);
    } catch (e) {
      setError(toErrorData(e));
    }
  };
  const report = (format: 'html' | 'csv' | 'json') =>
    act(async () => {
      const r = await getClient().invoke('staging.report', { runId, format });
      if (format === 'html') openHtml(r.text);
      else downloadText(r.fileName, r.text, format);
    });
  if (!detail)
    return (
      <Section title={`Run ${runId}`}>
        {error ? <ErrorBox error={error} /> : <p className="muted">Loading…</p>}
      </Section>
    );
  const running = detail.state === 'running';
  const c = detail.counts;
  const pct = progress?.percent ?? (c.total ? ((c.done + c.failed) / c.total) * 100 : 0);
  const hosts = detail.hosts.filter(
    (h) =>
      !filter ||
      `${h.hostId} ${h.site} ${h.mac ?? ''} ${h.state}`.toLowerCase().includes(filter.toLowerCase()),
  );
  return (
    <Section
      title={`Run ${detail.id}`}
      actions={
        <>
          {running ? (
            <button
              type="button"
              className="danger"
              onClick={() => act(() => getClient().invoke('staging.cancel', { runId }))}
            >
              Stop
            </button>
          ) : detail.state !== 'done' ? (
            <button type="button" onClick={() => act(() => getClient().invoke('staging.resume', { runId }))}>
              Resume
            </button>
          ) : null}
          <button type="button" className="primary" onClick={() => report('html')} data-testid="open-report">
            Open report
          </button>
          <button type="button" onClick={() => report('csv')}>
            CSV
          </button>
          <button type="button" onClick={() => report('json')}>
            JSON
          </button>
        </>
      }
    >
      <ErrorBox error={error} onDismiss={() => setError(undefined)} />
      <div className="row st-summary" data-testid="run-summary" data-state={detail.state}>
        <StateBadge state={detail.state} />
        <span>
          <strong>{c.done}</strong> of {c.total} hosts staged
        </span>
        <span className={c.failed ? 'st-failed' : ''}>{c.failed} failed</span>
        <span>{c.running} running</span>
        <span className="muted">{detail.fileName}</span>
        {progress && <span className="muted">elapsed {formatDuration(progress.elapsedSeconds)}</span>}
      </div>
      <ProgressBar
        label="Overall progress"
        progress={{
          phase: running
            ? `${progress?.stepsDone ?? 0} of ${progress?.stepsTotal ?? c.total * STEPS.length} steps`
            : detail.state,
          percent: detail.state === 'done' ? 100 : pct,
          etaSeconds: running ? progress?.etaSeconds : undefined,
        }}
      />
      {detail.error && (
        <ErrorBox
          error={{
            code: isErrorCode(detail.error.code) ? detail.error.code : 'EINTERNAL',
            message: detail.error.message,
          }}
        />
      )}
      <div className="row st-tools">
        <input
          aria-label="Filter hosts"
          placeholder="Filter hosts…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <span className="muted">
          {hosts.length} of {detail.hosts.length}
        </span>
      </div>
      <div className="st-scroll st-hosts">
        <table className="data" aria-label="Hosts of this run">
          <thead>
            <tr>
              <th>#</th>
              <th>Host</th>
              <th>Site</th>
              <th>Delivery</th>
              {STEPS.map((s) => (
                <th key={s}>{s}</th>
              ))}
              <th>State</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {hosts.slice(0, 1000).map((h) => {
              const failed = h.steps.find((s) => s.state === 'failed');
              const fd = failed?.error
                ? describeError({
                    code: isErrorCode(failed.error.code) ? failed.error.code : 'EINTERNAL',
                    message: failed.error.message,
                  })
                : undefined;
              const current = h.steps.find((s) => s.state === 'running');
              return (
                <tr key={h.hostId} data-host={h.hostId} data-state={h.state}>
                  <td>{h.index + 1}</td>
                  <td>
                    <a href={`#hosts/${encodeURIComponent(h.hostId)}`}>{h.hostId}</a>
                  </td>
                  <td>{h.site}</td>
                  <td>{h.delivery}</td>
                  {STEPS.map((s) => {
                    const st = h.steps.find((x) => x.step === s);
                    return (
                      <td
                        key={s}
                        className={`st-step st-${st?.state ?? 'pending'}`}
                        title={st?.error ? `${st.error.code}: ${st.error.message}` : (st?.message ?? '')}
                      >
                        <span aria-label={`${s} ${st?.state ?? 'pending'}`}>
                          {STEP_ICON[st?.state ?? 'pending']}
                        </span>
                      </td>
                    );
                  })}
                  <td>
                    <StateBadge state={h.state} />
                  </td>
                  <td className="st-detail">
                    {fd ? (
                      <span className="st-failed" title={fd.hint}>
                        {failed!.step}: {failed!.error!.code}: {fd.message}
                      </span>
                    ) : (
                      <span className="muted">
                        {current?.message ?? h.steps.filter((s) => s.state === 'done').at(-1)?.message ?? ''}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

const STEP_ICON: Record<string, string> = {
  pending: '·',
  running: '…',
  done: '✓',
  skipped: '–',
  failed: '✗',
};
