/**
 * One IndexedDB object store behind a lazily opened database: the plumbing
 * the checkpoint store and the backend-choice store share. Requests resolve
 * when their transaction commits (a write is durable only then).
 */

/** How an {@link IdbObjectStore} opens and reports. */
export interface IdbObjectStoreOptions {
  readonly dbName: string;
  readonly storeName: string;
  /** The records' key path (version 1 of the database creates the store with it). */
  readonly keyPath: string;
  /** The IndexedDB factory (undefined: not available here, every request rejects). */
  readonly factory: IDBFactory | undefined;
  /** Makes the errors this store rejects with (the caller's own error type). */
  readonly error: (message: string) => Error;
  /** Forget a failed open, so a later request tries again (storage may be allowed later). Default false. */
  readonly retryFailedOpen?: boolean;
}

/**
 * @example
 * ```ts
 * const store = new IdbObjectStore({ dbName: 'my-game', storeName: 'saves', keyPath: 'name', factory: indexedDB, error: (m) => new Error(m) });
 * await store.request('readwrite', (s) => s.put({ name: 'a', value: 1 }));
 * ```
 */
export class IdbObjectStore {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly o: IdbObjectStoreOptions) {}

  /** Runs `op` in a transaction of its own; resolves with the request's result once the transaction commits. */
  async request(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<unknown> {
    const db = await this.open();
    const { storeName, error } = this.o;
    return new Promise((resolve, reject) => {
      const tx = db.transaction(storeName, mode);
      const req = op(tx.objectStore(storeName));
      let result: unknown;
      req.onsuccess = () => {
        result = req.result;
      };
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(error(`IndexedDB ${mode} failed: ${tx.error?.message ?? req.error?.message}`));
      tx.onabort = () => reject(error(`IndexedDB ${mode} aborted: ${tx.error?.message ?? 'unknown reason'}`));
    });
  }

  /** Closes the database connection (a later request opens it again). */
  async close(): Promise<void> {
    if (this.db) (await this.db).close();
    this.db = null;
  }

  private open(): Promise<IDBDatabase> {
    const { factory, dbName, storeName, keyPath, error } = this.o;
    if (!factory) return Promise.reject(error('IndexedDB is not available here'));
    this.db ??= new Promise((resolve, reject) => {
      const req = factory.open(dbName, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(storeName, { keyPath });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(error(`cannot open IndexedDB "${dbName}": ${req.error?.message}`));
    });
    if (this.o.retryFailedOpen) this.db.catch(() => (this.db = null));
    return this.db;
  }
}
