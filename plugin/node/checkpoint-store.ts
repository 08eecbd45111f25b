/**
 * Checkpoints on disk: a directory holding `checkpoint.json` (the manifest
 * and the name of its data file) and one `data-<id>.bin`.
 *
 * Crash safety: the new data file is written under a fresh name and synced,
 * then `checkpoint.json` is replaced by renaming a synced temporary file over
 * it (atomic on POSIX file systems), and only then are older data files
 * removed. A crash at any point leaves either the old or the new checkpoint
 * complete, never a mix.
 *
 * One writer: each save holds the directory's lock (see dir-lock.ts), so a
 * second process saving into the same directory gets a CheckpointError and
 * the checkpoint there survives.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CheckpointError, type CheckpointStore, type PackedCheckpoint } from '../core/checkpoint-format.js';
import { LOCK_FILE, processRuns, withDirLock } from './dir-lock.js';

const INDEX = 'checkpoint.json';

/**
 * Writes a checkpoint into `dir` (created if needed), atomically replacing any checkpoint there.
 * @example
 * ```ts
 * await saveCheckpointDir('runs/guards/checkpoint', trainer.checkpoint({ includeBuffer: true }));
 * ```
 */
export async function saveCheckpointDir(dir: string, packed: PackedCheckpoint): Promise<void> {
  // One writer at a time: saves from this process queue, another process's is refused
  // (its temp files and its cleanup would otherwise destroy this one's data, and the previous checkpoint).
  await withDirLock(dir, 'saving a checkpoint', async () => {
    const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const dataFile = `data-${id}.bin`;
    await writeSynced(join(dir, `${dataFile}.tmp`), packed.data);
    await rename(join(dir, `${dataFile}.tmp`), join(dir, dataFile));
    const index = `{"dataFile":${JSON.stringify(dataFile)},"manifest":${packed.manifest}}`;
    await writeSynced(join(dir, `${INDEX}.${id}.tmp`), index);
    await rename(join(dir, `${INDEX}.${id}.tmp`), join(dir, INDEX));
    await syncDir(dir);
    // The new checkpoint is in place: older data files and leftovers of killed writes can go
    // (safe under the lock: no other writer has files in flight here).
    for (const name of await readdir(dir)) {
      if ((name.startsWith('data-') && name !== dataFile) || name.endsWith('.tmp') || name.startsWith(`${LOCK_FILE}.stale-`)) await rm(join(dir, name), { force: true });
    }
  });
}

/**
 * Reads the checkpoint in `dir`.
 * @throws {@link CheckpointError} when there is none or it is unreadable.
 * @example
 * ```ts
 * trainer.restore(await loadCheckpointDir('runs/guards/checkpoint'));
 * ```
 */
export async function loadCheckpointDir(dir: string): Promise<PackedCheckpoint> {
  // A save that lands between reading the index and reading its data file
  // removes the old data file: read the new index then.
  for (let attempt = 0; ; attempt++) {
    try {
      return await loadOnce(dir);
    } catch (e) {
      if (!(e instanceof DataFileGone) || attempt >= 4) throw e instanceof DataFileGone ? new CheckpointError(e.message) : e;
    }
  }
}

class DataFileGone extends Error {}

async function loadOnce(dir: string): Promise<PackedCheckpoint> {
  let index: { dataFile?: unknown; manifest?: unknown };
  try {
    index = JSON.parse(await readFile(join(dir, INDEX), 'utf8')) as typeof index;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CheckpointError(err.code === 'ENOENT' ? `no checkpoint in ${dir} (${INDEX} not found)` : `checkpoint index ${join(dir, INDEX)} is unreadable: ${err.message}`);
  }
  if (typeof index.dataFile !== 'string' || !/^data-[\w-]+\.bin$/.test(index.dataFile) || typeof index.manifest !== 'object') {
    throw new CheckpointError(`checkpoint index ${join(dir, INDEX)} is malformed`);
  }
  let data: Buffer;
  try {
    data = await readFile(join(dir, index.dataFile));
  } catch (e) {
    const message = `checkpoint data ${index.dataFile} is missing: ${(e as Error).message}`;
    throw (e as NodeJS.ErrnoException).code === 'ENOENT' ? new DataFileGone(message) : new CheckpointError(message);
  }
  return { manifest: JSON.stringify(index.manifest), data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Writes `content` to `path` through a synced temporary file renamed over it:
 * a crash leaves the old file or the new one, never a part.
 * @example
 * ```ts
 * await writeFileAtomic('runs/guards/policy.json', JSON.stringify(policy));
 * ```
 */
export async function writeFileAtomic(path: string, content: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeSynced(tmp, content);
  await rename(tmp, path);
  // Temp files of writers killed mid-write would pile up run after run: remove those whose process is gone.
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (m && !processRuns(Number(m[1]))) await rm(join(dir, name), { force: true });
  }
}

async function writeSynced(path: string, content: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // Persist the renames themselves; not every platform lets a directory be opened for this.
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

/**
 * Named checkpoints as subdirectories of `root` (crash-safe, as {@link saveCheckpointDir}).
 * @example
 * ```ts
 * const store = new DirCheckpointStore('runs/guards');
 * await store.save('autosave', trainer.checkpoint());
 * ```
 */
export class DirCheckpointStore implements CheckpointStore {
  constructor(readonly root: string) {}

  save(name: string, packed: PackedCheckpoint): Promise<void> {
    return saveCheckpointDir(join(this.root, safeName(name)), packed);
  }

  load(name: string): Promise<PackedCheckpoint> {
    return loadCheckpointDir(join(this.root, safeName(name)));
  }
}

function safeName(name: string): string {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) throw new CheckpointError(`checkpoint name ${JSON.stringify(name)} must be letters, digits, '.', '_' or '-'`);
  return name;
}
