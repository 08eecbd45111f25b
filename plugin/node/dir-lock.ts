/**
 * One writer per directory: a lock file created exclusively (`O_EXCL`), so
 * that a second process writing the same checkpoint directory is refused
 * with a clear error instead of interleaving with the first. Writers in one
 * process queue behind each other instead.
 *
 * A lock left by a process that died (kill -9, a crash) is taken over: on
 * this host, when its pid no longer runs; from another host (a shared
 * drive), when it is older than {@link STALE_FOREIGN_LOCK_MS}.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CheckpointError } from '../core/checkpoint-format.js';

/** The lock file's name inside the locked directory. */
export const LOCK_FILE = '.phaser-qmix.lock';
/** A lock from another host older than this is presumed dead (pids cannot be checked across hosts). */
export const STALE_FOREIGN_LOCK_MS = 10 * 60 * 1000;

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly since: number;
  readonly what: string;
}

/** Writers in this process, by directory: each waits for the one before. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` holding the lock of `dir` (created if needed): after earlier
 * holders in this process, in call order, and never while another live process holds it.
 * @throws {@link CheckpointError} when another process holds the lock.
 * @example
 * ```ts
 * await withDirLock('runs/guards/checkpoint', 'saving a checkpoint', () => writeFiles());
 * ```
 */
export function withDirLock<T>(dir: string, what: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(dir);
  // Queued at once (no await before this): saves run in the order they were called.
  const run = (queues.get(key) ?? Promise.resolve()).catch(() => {}).then(async () => {
    await mkdir(key, { recursive: true });
    const release = await acquireDirLock(key, what);
    try {
      return await fn();
    } finally {
      await release();
    }
  });
  queues.set(key, run);
  // Forget the queue once it drains, so the map does not grow with every directory ever written.
  void run.catch(() => {}).finally(() => {
    if (queues.get(key) === run) queues.delete(key);
  });
  return run;
}

/**
 * Takes the lock of `dir` (which must exist) for as long as the caller needs it
 * (a training run holds its output directory); resolves with the release.
 * @throws {@link CheckpointError} naming the process that holds it.
 * @example
 * ```ts
 * const release = await acquireDirLock('runs/guards', 'training');
 * try { await trainAll(); } finally { await release(); }
 * ```
 */
export async function acquireDirLock(dir: string, what: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), since: Date.now(), what };
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(JSON.stringify(mine));
      } finally {
        await fh.close();
      }
      return async () => {
        // Remove it only while it is still ours (never another writer's that took over a stale one).
        const now = await readLock(path);
        if (now?.token === mine.token) await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readLock(path);
    if (holder === null && (await ageMs(path)) < 5000) {
      // Just created and not yet filled by its writer: wait for it rather than take it.
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    if (holder !== null && !isStale(holder)) {
      throw new CheckpointError(
        `${dir} is locked by another writer (pid ${holder.pid} on ${holder.host}, ${holder.what} since ${new Date(holder.since).toISOString()}): ` +
          `two processes must not write one checkpoint directory; use another --out, or stop the other run (if it is dead, delete ${path})`,
      );
    }
    // Stale or unreadable (a writer killed between creating and filling it): move it aside and try again.
    // A rename is atomic, so of two processes taking over the same stale lock only one moves it.
    await rename(path, `${path}.stale-${mine.token}`).catch(() => {});
    await rm(`${path}.stale-${mine.token}`, { force: true });
  }
  throw new CheckpointError(`could not lock ${dir}: another writer keeps taking it`);
}

async function readLock(path: string): Promise<LockInfo | null> {
  try {
    const info = JSON.parse(await readFile(path, 'utf8')) as LockInfo;
    return Number.isInteger(info?.pid) && typeof info.token === 'string' ? info : null;
  } catch {
    return null;
  }
}

async function ageMs(path: string): Promise<number> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return Infinity;
  }
}

function isStale(info: LockInfo): boolean {
  if (info.host !== hostname()) return Date.now() - info.since > STALE_FOREIGN_LOCK_MS;
  return !processRuns(info.pid);
}

/**
 * Whether a process with this pid runs on this host (one of another user counts: EPERM).
 * @example
 * ```ts
 * processRuns(process.pid); // true
 * ```
 */
export function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
