/**
 * PGlite has no lock of its own, and two processes that open one data folder corrupt it. The
 * process that opens the folder creates `syncrework.lock` with its pid; another process finds it
 * and either talks to the owner through `syncrework.sock` or refuses.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The data folder ${dataDir} is in use by process ${pid}, and only one process may open it. ` +
        'Stop that process or wait until it finishes, or give this one another SYNCREWORK_DATA_DIR.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  lockPath: string;
  socketPath: string;
  release(): void;
}

export function socketPathFor(dataDir: string): string {
  return path.join(dataDir, 'syncrework.sock');
}

/** Returns the pid of a live process holding the folder, or null when it is free. */
export function lockHolder(dataDir: string): number | null {
  const lockPath = path.join(dataDir, 'syncrework.lock');
  let pid: number;
  try {
    pid = Number(JSON.parse(readFileSync(lockPath, 'utf8')).pid);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  return pid;
}

/** Takes the folder for this process, removing a lock left behind by a process that died. */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = path.join(dataDir, 'syncrework.lock');
  const socketPath = socketPathFor(dataDir);

  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }), { flag: 'wx', mode: 0o600 });
      return {
        lockPath,
        socketPath,
        release: () => {
          if (lockHolder(dataDir) === process.pid) rmSync(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(dataDir);
      if (holder !== null) throw new DataDirLockedError(dataDir, holder);
      // The holder died without cleaning up: its lock and socket are stale.
      rmSync(lockPath, { force: true });
      if (existsSync(socketPath)) rmSync(socketPath, { force: true });
    }
  }
  throw new Error(`Could not lock the data folder ${dataDir}; another process keeps creating ${lockPath}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
