// Process liveness, for locks and run ownership that must survive a crash of their owner.

/** Is a process with this PID alive? (EPERM means it exists but belongs to another user.) */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
