// Several processes may share one cache folder (the CLI beside the app). A run or
// export records the pid of the process doing it, and the next process to open the
// cache leaves it alone while that process lives.

/** Whether `pid` names a live process (one we may not signal counts as alive). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a record's owner is another process that is still alive. */
export const ownedByAnotherLiveProcess = (ownerPid: number | null | undefined): boolean =>
  Boolean(ownerPid) && ownerPid !== process.pid && processAlive(ownerPid as number);
