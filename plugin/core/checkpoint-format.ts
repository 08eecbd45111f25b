/**
 * **contract: checkpoint.** One serialisation for every store: a JSON
 * manifest (format, version, config, spec, counters, RNG states, and the list
 * of binary blobs) plus one binary holding the blobs back to back. Node
 * writes the two as files in a directory; the browser puts the same two
 * values in IndexedDB.
 */
import { hash53 } from './encoding.js';
import type { QmixConfig } from './config.js';
import type { EnvSpec } from './env.js';

/** The `format` field of every checkpoint manifest. */
export const CHECKPOINT_FORMAT = 'phaser-qmix/checkpoint';
/** The newest checkpoint version this code reads. */
export const CHECKPOINT_VERSION = 1;

/** Typed arrays a blob can hold. */
export type BlobArray = Float32Array | Int32Array | Uint8Array;
type BlobDtype = 'float32' | 'int32' | 'uint8';

/** Where one blob sits in the binary. */
export interface BlobEntry {
  readonly name: string;
  readonly dtype: BlobDtype;
  readonly length: number;
  /** Byte offset in the binary (4-byte aligned). */
  readonly offset: number;
}

/** The JSON part of a checkpoint. */
export interface CheckpointManifest {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: number;
  /** ISO date the checkpoint was made. */
  readonly createdAt: string;
  readonly config: QmixConfig;
  readonly spec: EnvSpec;
  /** Learner counters and small state (the weights and moments are blobs). */
  readonly learner: {
    readonly updates: number;
    readonly lastTargetUpdateEpisode: number;
    readonly rewardStats: { readonly mean: number; readonly variance: number; readonly count: number };
    readonly optimizer: { readonly kind: 'adam' | 'rmsprop'; readonly step: number; readonly slots: number };
  };
  /** Training-loop position: schedules follow envSteps; RNG states continue the exact streams. */
  readonly trainer: {
    readonly envSteps: number;
    readonly episodes: number;
    readonly rng: { readonly [stream: string]: readonly number[] };
  };
  /** Replay positions when the replay buffer is included, else null. */
  readonly buffer: { readonly capacity: number; readonly next: number; readonly count: number; readonly inserted: number } | null;
  readonly blobs: readonly BlobEntry[];
  /** `cyrb53:<hex>` of the binary. */
  readonly dataChecksum: string;
}

/** A checkpoint in memory: manifest plus named arrays. */
export interface Checkpoint {
  readonly manifest: CheckpointManifest;
  readonly blobs: ReadonlyMap<string, BlobArray>;
}

/** The stored form: manifest text and one binary (what stores write). */
export interface PackedCheckpoint {
  readonly manifest: string;
  readonly data: Uint8Array;
}

/**
 * Somewhere named checkpoints can be kept: IndexedDB in the browser, a
 * directory in Node, memory in tests.
 */
export interface CheckpointStore {
  save(name: string, packed: PackedCheckpoint): Promise<void>;
  /** @throws {@link CheckpointError} when there is no checkpoint of that name. */
  load(name: string): Promise<PackedCheckpoint>;
}

/**
 * Checkpoints in memory (copied in and out), for tests and in-process trainers.
 * @example
 * ```ts
 * const store = new MemoryCheckpointStore();
 * await store.save('autosave', trainer.checkpoint());
 * ```
 */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly items = new Map<string, PackedCheckpoint>();

  async save(name: string, packed: PackedCheckpoint): Promise<void> {
    this.items.set(name, { manifest: packed.manifest, data: packed.data.slice() });
  }

  async load(name: string): Promise<PackedCheckpoint> {
    const p = this.items.get(name);
    if (!p) throw new CheckpointError(`no checkpoint called ${JSON.stringify(name)} in memory`);
    return { manifest: p.manifest, data: p.data.slice() };
  }
}

/** A checkpoint that cannot be read or does not fit. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const DTYPES: { [K in BlobDtype]: { readonly ctor: { new (b: ArrayBuffer, o: number, n: number): BlobArray }; readonly bytes: number } } = {
  float32: { ctor: Float32Array, bytes: 4 },
  int32: { ctor: Int32Array, bytes: 4 },
  uint8: { ctor: Uint8Array, bytes: 1 },
};

function dtypeOf(a: BlobArray): BlobDtype {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'uint8';
  throw new CheckpointError('checkpoint blobs must be Float32Array, Int32Array or Uint8Array');
}

/**
 * Lays the blobs out in one binary and completes the manifest (blob table and data checksum).
 * @example
 * ```ts
 * const packed = packCheckpoint(manifestWithoutBlobs, blobs);
 * await writeFile('manifest.json', packed.manifest);
 * ```
 */
export function packCheckpoint(
  manifest: Omit<CheckpointManifest, 'blobs' | 'dataChecksum'>,
  blobs: ReadonlyMap<string, BlobArray>,
): PackedCheckpoint {
  const entries: BlobEntry[] = [];
  const arrays: BlobArray[] = [];
  let offset = 0;
  for (const [name, arr] of blobs) {
    const dtype = dtypeOf(arr);
    entries.push({ name, dtype, length: arr.length, offset });
    arrays.push(arr);
    offset += Math.ceil((arr.length * DTYPES[dtype].bytes) / 4) * 4;
  }
  const data = new Uint8Array(offset);
  entries.forEach((e, i) => data.set(new Uint8Array(arrays[i].buffer, arrays[i].byteOffset, arrays[i].byteLength), e.offset));
  const full: CheckpointManifest = { ...manifest, blobs: entries, dataChecksum: `cyrb53:${hashBytes(data)}` };
  return { manifest: JSON.stringify(full), data };
}

/**
 * Reads a packed checkpoint back, checking format, version, blob table and
 * data checksum. Blobs are views into `data` (no copy).
 * @throws {@link CheckpointError} naming the problem.
 * @example
 * ```ts
 * const cp = unpackCheckpoint(await readFile('manifest.json', 'utf8'), await readFile('data.bin'));
 * ```
 */
export function unpackCheckpoint(packed: PackedCheckpoint): Checkpoint {
  let m: CheckpointManifest;
  try {
    m = JSON.parse(packed.manifest) as CheckpointManifest;
  } catch (e) {
    throw new CheckpointError(`checkpoint manifest is not valid JSON (${(e as Error).message})`);
  }
  if (m === null || typeof m !== 'object' || m.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`not a phaser-qmix checkpoint: format is ${JSON.stringify((m as { format?: unknown } | null)?.format)}`);
  }
  if (!Number.isInteger(m.version) || m.version < 1 || m.version > CHECKPOINT_VERSION) {
    throw new CheckpointError(`checkpoint version ${JSON.stringify(m.version)} is not supported (this code reads 1..${CHECKPOINT_VERSION})`);
  }
  checkManifestShape(m);
  const data = packed.data;
  const sum = `cyrb53:${hashBytes(data)}`;
  if (sum !== m.dataChecksum) throw new CheckpointError(`checkpoint data is damaged or incomplete: checksum ${sum}, the manifest says ${m.dataChecksum}`);
  const blobs = new Map<string, BlobArray>();
  // Copy into an aligned buffer once: typed views need offsets aligned to their element size.
  const aligned = data.byteOffset % 4 === 0 ? data : data.slice();
  for (const e of m.blobs) {
    // Own keys only: a dtype of "__proto__" or "constructor" must not find Object's.
    const d = Object.hasOwn(DTYPES, e.dtype) ? DTYPES[e.dtype] : undefined;
    if (d === undefined || !Number.isInteger(e.length) || e.length < 0 || !Number.isInteger(e.offset) || e.offset < 0 || e.offset % 4 !== 0 || e.offset + e.length * d.bytes > aligned.byteLength) {
      throw new CheckpointError(`checkpoint blob ${JSON.stringify(e.name)} does not fit the data (${aligned.byteLength} bytes)`);
    }
    blobs.set(e.name, new d.ctor(aligned.buffer as ArrayBuffer, aligned.byteOffset + e.offset, e.length));
  }
  return { manifest: m, blobs };
}

/** Throws a {@link CheckpointError} naming the first section of a manifest that has the wrong shape. */
function checkManifestShape(m: CheckpointManifest): void {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const bad = (what: string, v: unknown): never => {
    throw new CheckpointError(`checkpoint manifest ${what} is ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}: the file is damaged or not a checkpoint`);
  };
  for (const key of ['config', 'spec', 'learner', 'trainer'] as const) if (!isObject(m[key])) bad(key, m[key]);
  if (!isObject(m.learner.optimizer)) bad('learner.optimizer', m.learner.optimizer);
  if (!isObject(m.learner.rewardStats)) bad('learner.rewardStats', m.learner.rewardStats);
  if (!isObject(m.trainer.rng)) bad('trainer.rng', m.trainer.rng);
  if (m.buffer !== null && !isObject(m.buffer)) bad('buffer', m.buffer);
  if (!Array.isArray(m.blobs)) bad('blobs', m.blobs);
  m.blobs.forEach((e, i) => {
    if (!isObject(e)) bad(`blobs[${i}]`, e);
    if (typeof e.name !== 'string') bad(`blobs[${i}].name`, e.name);
  });
}

/**
 * cyrb53 over bytes (four bytes per step): detects damaged or truncated data.
 * @example
 * ```ts
 * hashBytes(new Uint8Array([1, 2, 3])); // 14 hex digits
 * ```
 */
export function hashBytes(bytes: Uint8Array): string {
  let h1 = 0xdeadbeef ^ bytes.length;
  let h2 = 0x41c6ce57 ^ bytes.length;
  const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : new Uint32Array(bytes.slice(0, bytes.length & ~3).buffer);
  for (let i = 0; i < words.length; i++) {
    const c = words[i];
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  for (let i = words.length * 4; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 2654435761);
    h2 = Math.imul(h2 ^ bytes[i], 1597334677);
  }
  return hash53(`${h1 >>> 0}:${h2 >>> 0}`);
}
