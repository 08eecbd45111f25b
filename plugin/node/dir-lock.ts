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
import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CheckpointError } from '../core/checkpoint-format.js';

/** The lock file's name inside the locked directory. */
export const LOCK_FILE = '.phaser-qmix.lock';
/** A lock from another host older than this is presumed dead (pids cannot be checked across hosts). */
export const STALE_FOREIGN_LOCK_MS = 10 * 60 * 1000;
/**
 * A lock file still empty (or half written) this long after it was created is
 * presumed left by a writer killed between creating and filling it: a live
 * writer fills it within microseconds of creating it.
 */
export const UNFILLED_LOCK_MS = 2000;

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
  // Waiting on an unfilled lock is bounded by time (it turns stale after UNFILLED_LOCK_MS);
  // taking over stale locks by count (each takeover can only lose to another process's).
  const deadline = Date.now() + UNFILLED_LOCK_MS * 3;
  let takeovers = 0;
  while (takeovers < 20 && Date.now() < deadline) {
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
        if (now !== null && now !== 'missing' && now.token === mine.token) await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    // The inode first, then the contents: a file replaced between the two shows up as another inode below.
    const judgedFile = await fileId(path);
    const holder = await readLock(path);
    if (holder === 'missing' || judgedFile === null) continue; // released since our open: try again at once
    if (holder === null && Date.now() - judgedFile.mtimeMs < UNFILLED_LOCK_MS) {
      // Just created and not yet filled by its writer: wait for it rather than take it.
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    if (holder !== null && !isStale(holder)) throw lockedBy(dir, path, holder);
    // Stale or unreadable (a writer killed between creating and filling it): move it aside and try again.
    // A rename is atomic, so of two processes taking over the same stale lock only one moves it.
    takeovers++;
    const aside = `${path}.stale-${mine.token}`;
    if (!(await rename(path, aside).then(() => true, () => false))) continue;
    // The lock judged stale may have been released and a live writer's created in its place
    // between the look and the rename: then that one is what was moved. Put it back and yield to it.
    const moved = await fileId(aside);
    if (moved !== null && moved.ino !== judgedFile.ino) {
      // link() creates `path` only where none exists, so it cannot overwrite a newer lock.
      await link(aside, path).catch(() => {});
      await rm(aside, { force: true });
      continue;
    }
    await rm(aside, { force: true });
  }
  throw new CheckpointError(`could not lock ${dir}: another writer keeps taking it`);
}

/** The lock's holder; null when the file cannot be parsed (unfilled, half written); 'missing' when there is none. */
async function readLock(path: string): Promise<LockInfo | null | 'missing'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : null;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return Number.isInteger(info?.pid) && typeof info.token === 'string' ? info : null;
  } catch {
    return null;
  }
}

function lockedBy(dir: string, path: string, holder: LockInfo): CheckpointError {
  return new CheckpointError(
    `${dir} is locked by another writer (pid ${holder.pid} on ${holder.host}, ${holder.what} since ${new Date(holder.since).toISOString()}): ` +
      `two processes must not write one checkpoint directory; use another --out, or stop the other run (if it is dead, delete ${path})`,
  );
}

async function fileId(path: string): Promise<{ ino: number; mtimeMs: number } | null> {
  try {
    const st = await stat(path);
    return { ino: st.ino, mtimeMs: st.mtimeMs };
  } catch {
    return null;
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
