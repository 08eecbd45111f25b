/**
 * Checkpoints in the browser: IndexedDB records holding the same packed
 * form as the Node store (manifest text + one binary). One `put` in one
 * transaction is atomic, so a closed tab mid-save keeps the previous record.
 */
import { CheckpointError, type CheckpointStore, type PackedCheckpoint } from '../core/checkpoint-format.js';
import { IdbObjectStore } from './idb.js';

/** What {@link IdbCheckpointStore.list} tells about a saved checkpoint. */
export interface SavedCheckpointInfo {
  readonly name: string;
  /** ISO date of the save. */
  readonly savedAt: string;
  readonly updates: number;
  readonly envSteps: number;
  readonly bytes: number;
}

interface StoredRecord extends SavedCheckpointInfo {
  readonly manifest: string;
  readonly data: ArrayBuffer;
}

const STORE = 'checkpoints';

/**
 * Named checkpoints in IndexedDB.
 * @example
 * ```ts
 * const store = new IdbCheckpointStore();
 * await store.save('autosave', trainer.checkpoint());
 * trainer.restore(await store.load('autosave'));
 * ```
 */
export class IdbCheckpointStore implements CheckpointStore {
  private readonly store: IdbObjectStore;

  /**
   * @param dbName database name (one per game is plenty)
   * @param factory the IndexedDB factory; the browser's by default
   */
  constructor(
    readonly dbName = 'phaser-qmix',
    factory: IDBFactory | undefined = globalThis.indexedDB,
  ) {
    this.store = new IdbObjectStore({ dbName, storeName: STORE, keyPath: 'name', factory, error: (m) => new CheckpointError(m) });
  }

  /** Saves (or replaces) the checkpoint called `name`. */
  async save(name: string, packed: PackedCheckpoint): Promise<void> {
    const m = JSON.parse(packed.manifest) as { learner?: { updates?: number }; trainer?: { envSteps?: number } };
    const data = packed.data.buffer.slice(packed.data.byteOffset, packed.data.byteOffset + packed.data.byteLength) as ArrayBuffer;
    const record: StoredRecord = {
      name,
      savedAt: new Date().toISOString(),
      updates: m.learner?.updates ?? 0,
      envSteps: m.trainer?.envSteps ?? 0,
      bytes: data.byteLength,
      manifest: packed.manifest,
      data,
    };
    await this.store.request('readwrite', (s) => s.put(record));
  }

  /**
   * Loads the checkpoint called `name`.
   * @throws {@link CheckpointError} when there is none.
   */
  async load(name: string): Promise<PackedCheckpoint> {
    const r = (await this.store.request('readonly', (s) => s.get(name))) as StoredRecord | undefined;
    if (r === undefined) throw new CheckpointError(`no checkpoint called ${JSON.stringify(name)} in IndexedDB "${this.dbName}"`);
    return { manifest: r.manifest, data: new Uint8Array(r.data) };
  }

  /** Saved checkpoints, newest first. */
  async list(): Promise<SavedCheckpointInfo[]> {
    const all = (await this.store.request('readonly', (s) => s.getAll())) as StoredRecord[];
    return all
      .map(({ name, savedAt, updates, envSteps, bytes }) => ({ name, savedAt, updates, envSteps, bytes }))
      .sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  /** Deletes the checkpoint called `name` (no error if absent). */
  async delete(name: string): Promise<void> {
    await this.store.request('readwrite', (s) => s.delete(name));
  }

  /** Closes the database connection. */
  close(): Promise<void> {
    return this.store.close();
  }
}
