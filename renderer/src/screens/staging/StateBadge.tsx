// A run, host or step state as a coloured badge.
const KIND: Record<string, string> = {
  done: 'ok',
  staged: 'ok',
  registered: 'ok',
  'already-registered': 'ok',
  skipped: 'ok',
  failed: 'fail',
  partial: 'warn',
  cancelled: 'warn',
  interrupted: 'warn',
  queued: 'warn',
  running: 'run',
};

export function StateBadge({ state, title }: { state: string; title?: string }) {
  return (
    <span className={`badge ${KIND[state] ?? ''}`} title={title} data-state={state}>
      {state}
    </span>
  );
}
