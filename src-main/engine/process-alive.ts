// Several processes may share one cache folder (the CLI beside the app). A run or
// export records the pid of the process doing it, which says every few seconds that it
// is still at it; the next process to open the cache leaves it alone while both hold.

/** Whether `pid` names a live process (one we may not signal counts as alive). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How often an owner marks its runs and exports alive. */
export const OWNER_HEARTBEAT_MS = 10_000;

/**
 * An owner silent for this long is gone even if its pid is alive: after a crash and a reboot, another
 * process may carry the pid. Generous, so a busy owner is never taken for dead.
 */
export const OWNER_STALE_MS = 60_000;

/** Whether a record's owner is another process that is still alive and still at it. */
export function ownedByAnotherLiveProcess(ownerPid: number | null | undefined, ownerSeenAt: number | null | undefined, now = Date.now()): boolean {
  if (!ownerPid || ownerPid === process.pid) return false;
  if (ownerSeenAt == null || now - ownerSeenAt > OWNER_STALE_MS) return false;
  return processAlive(ownerPid);
}
