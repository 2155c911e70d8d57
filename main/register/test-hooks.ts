// Test hook for crash tests: with EDGEBENCH_TEST_SYNC_STEPS=1 every sync step is announced on
// stderr as "EDGEBENCH-SYNC-STEP <step> <hostId>"; EDGEBENCH_TEST_SYNC_PAUSE=<step>:<hostId>
// announces that step and then waits forever (the test kills the process with SIGKILL there).
// Without these variables it does nothing.
export async function testStep(step: string, hostId: string): Promise<void> {
  const pause = process.env.EDGEBENCH_TEST_SYNC_PAUSE;
  if (!process.env.EDGEBENCH_TEST_SYNC_STEPS && !pause) return;
  process.stderr.write(`EDGEBENCH-SYNC-STEP ${step} ${hostId}\n`);
  if (pause === `${step}:${hostId}`) {
    process.stderr.write(`EDGEBENCH-SYNC-PAUSED ${step} ${hostId}\n`);
    await new Promise<void>(() => {
      setInterval(() => undefined, 60_000);
    });
  }
}
