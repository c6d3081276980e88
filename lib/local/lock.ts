/**
 * One local stack per data folder: two DynamoDB Local processes on one `-dbPath` would corrupt it.
 * The lock is a file holding the owner's pid, created atomically; a lock whose process is gone
 * (a crash, kill -9) is stale and taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the data folder's lock for this process; returns its release. Throws DataDirInUseError. */
export function lockDataDir(dataDir: string, describe: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'stack.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, describe }));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner: { pid?: number; describe?: string } = {};
      try {
        owner = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // unreadable: treated as stale
      }
      if (typeof owner.pid === 'number' && owner.pid !== process.pid && alive(owner.pid))
        throw new DataDirInUseError(
          `${dataDir} is in use by another local stack (pid ${owner.pid}${owner.describe ? `, ${owner.describe}` : ''}): stop it, or start this one with another LOCAL_DATA_DIR.`,
        );
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new DataDirInUseError(`${dataDir}: could not take the lock`);
}
