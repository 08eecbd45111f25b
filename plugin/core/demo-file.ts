/**
 * Demonstration files: recorded episodes (a person at the keyboard, or a
 * script, in `heuristic` mode) saved to train on later. Versioned,
 * checksummed and tied to the squad's spec and observation layout like
 * policy files, so a file recorded for another game or another sensor setup
 * is refused by name instead of training on the wrong numbers.
 */
import { canonicalJson, decodeBytes, decodeFloat32, encodeBytes, encodeFloat32, hash53 } from './encoding.js';
import { validateEpisode, type EpisodeRecord } from './episode.js';
import { validateSpec, type EnvSpec, type ObsFeature } from './env.js';
import { MAX_REPLAY_VALUES } from './replay.js';

/** The `format` field of every demonstration file. */
export const DEMO_FORMAT = 'phaser-qmix-demonstrations';
/** The version this code writes and reads. */
export const DEMO_VERSION = 1;

/** One episode, its arrays as base64 (little-endian). */
export interface DemoEpisode {
  readonly length: number;
  readonly terminated: boolean;
  /** Float32 `[length + 1, nAgents, obsSize]`. */
  readonly obs: string;
  /** Float32 `[length + 1, stateSize]`. */
  readonly state: string;
  /** Bytes (0/1) `[length + 1, nAgents, nActions]`. */
  readonly avail: string;
  /** Int32 `[length, nAgents]`. */
  readonly actions: string;
  /** Float32 `[length]`. */
  readonly rewards: string;
}

/** A demonstration file. */
export interface DemoFile {
  readonly format: typeof DEMO_FORMAT;
  readonly version: number;
  readonly createdAt: string;
  /** What recorded it: a free label (e.g. `keyboard`, `scripted`). */
  readonly source: string;
  readonly spec: EnvSpec;
  readonly episodes: readonly DemoEpisode[];
  /** `cyrb53:` hash of the canonical JSON of every other field. */
  readonly checksum: string;
}

/** What a loader expects the file to fit: any subset of the spec. */
export type DemoExpectation = Partial<Pick<EnvSpec, 'nAgents' | 'obsSize' | 'stateSize' | 'nActions' | 'episodeLimit'>> & { readonly obsLayout?: readonly ObsFeature[] };

/** Why a demonstration file was refused. */
export type DemoErrorKind = 'json' | 'format' | 'version' | 'structure' | 'checksum' | 'mismatch';

/**
 * A demonstration file that cannot be used; `kind` says why, the message names the field.
 * @example
 * ```ts
 * try { parseDemoFile(text, squad.resolveSpec()); } catch (e) { if (e instanceof DemoError) alert(e.message); }
 * ```
 */
export class DemoError extends Error {
  constructor(
    readonly kind: DemoErrorKind,
    message: string,
  ) {
    super(`demonstration file: ${message}`);
    this.name = 'DemoError';
  }
}

/** Most episodes one file may hold. */
export const MAX_DEMO_EPISODES = 100_000;

function checksumOf(file: Omit<DemoFile, 'checksum'> | DemoFile): string {
  const { checksum: _ignored, ...rest } = file as DemoFile;
  return `cyrb53:${hash53(canonicalJson(rest))}`;
}

/**
 * Writes episodes (all of one spec) into a sealed demonstration file.
 * @throws EnvContractError when an episode does not fit the spec.
 * @example
 * ```ts
 * const file = makeDemoFile(squad.resolveSpec(), recorder.episodes, { source: 'keyboard' });
 * download(JSON.stringify(file));
 * ```
 */
export function makeDemoFile(spec: EnvSpec, episodes: readonly EpisodeRecord[], meta: { source?: string; date?: Date } = {}): DemoFile {
  validateSpec(spec);
  const eps = episodes.map((ep) => {
    validateEpisode(spec, ep);
    return {
      length: ep.length,
      terminated: ep.terminated,
      obs: encodeFloat32(ep.obs),
      state: encodeFloat32(ep.state),
      avail: encodeBytes(ep.avail),
      actions: encodeBytes(new Uint8Array(ep.actions.buffer, ep.actions.byteOffset, ep.actions.byteLength)),
      rewards: encodeFloat32(ep.rewards),
    };
  });
  const unsealed = { format: DEMO_FORMAT, version: DEMO_VERSION, createdAt: (meta.date ?? new Date()).toISOString(), source: meta.source ?? 'heuristic', spec: { ...spec }, episodes: eps } as const;
  return { ...unsealed, checksum: checksumOf(unsealed) };
}

/**
 * Reads a demonstration file (JSON text or a parsed object) and checks it:
 * format, version, structure, sizes (bounded before anything is decoded),
 * every episode's arrays, the checksum, then `expect` (sizes and the
 * observation layout, as policy files are checked).
 * @throws {@link DemoError} naming the problem.
 * @example
 * ```ts
 * const { episodes } = parseDemoFile(await file.text(), squad.resolveSpec());
 * trainer.addDemonstrations(episodes);
 * ```
 */
export function parseDemoFile(input: string | object, expect: DemoExpectation = {}): { readonly file: DemoFile; readonly episodes: EpisodeRecord[] } {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (e) {
      throw new DemoError('json', `not JSON (${(e as Error).message})`);
    }
  }
  const f = raw as Partial<DemoFile> | null;
  if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new DemoError('json', 'expected a JSON object');
  if (f.format !== DEMO_FORMAT) throw new DemoError('format', `format is ${JSON.stringify(f.format)}, expected "${DEMO_FORMAT}" (is this a policy or a checkpoint?)`);
  if (f.version !== DEMO_VERSION) throw new DemoError('version', `version ${JSON.stringify(f.version)} is not supported (this build reads version ${DEMO_VERSION})`);
  let spec: EnvSpec;
  try {
    spec = validateSpec(f.spec as EnvSpec);
  } catch (e) {
    throw new DemoError('structure', `spec: ${(e as Error).message}`);
  }
  if (!Array.isArray(f.episodes)) throw new DemoError('structure', 'episodes must be an array');
  if (f.episodes.length > MAX_DEMO_EPISODES) throw new DemoError('structure', `${f.episodes.length} episodes, more than ${MAX_DEMO_EPISODES}`);
  const { nAgents: n, obsSize, stateSize, nActions: A, episodeLimit: T } = spec;
  // Bound the decoded size before decoding: lengths are checked against the limit first.
  let values = 0;
  f.episodes.forEach((e, i) => {
    if (e === null || typeof e !== 'object' || !Number.isInteger(e.length) || e.length < 1 || e.length > T) {
      throw new DemoError('structure', `episodes[${i}].length is ${JSON.stringify(e?.length)}: expected an integer in 1..${T}`);
    }
    values += (e.length + 1) * (n * (obsSize + A) + stateSize);
  });
  if (values > MAX_REPLAY_VALUES) throw new DemoError('structure', `the episodes hold ${values.toExponential(2)} values, more than ${MAX_REPLAY_VALUES.toExponential(2)}`);
  const episodes = f.episodes.map((e, i): EpisodeRecord => {
    const L = e.length;
    const field = <T>(name: keyof DemoEpisode, decoded: T | null, count: number, len: (x: T) => number): T => {
      if (decoded === null || len(decoded) !== count) throw new DemoError('structure', `episodes[${i}].${name} does not decode to ${count} values`);
      return decoded;
    };
    const bytes = (t: unknown) => (typeof t === 'string' ? decodeBytes(t) : null);
    const actionBytes = bytes(e.actions);
    const ep: EpisodeRecord = {
      length: L,
      terminated: e.terminated,
      obs: field('obs', typeof e.obs === 'string' ? decodeFloat32(e.obs) : null, (L + 1) * n * obsSize, (x) => x.length),
      state: field('state', typeof e.state === 'string' ? decodeFloat32(e.state) : null, (L + 1) * stateSize, (x) => x.length),
      avail: field('avail', bytes(e.avail), (L + 1) * n * A, (x) => x.length),
      actions: field('actions', actionBytes && actionBytes.length % 4 === 0 ? new Int32Array(actionBytes.buffer) : null, L * n, (x) => x.length),
      rewards: field('rewards', typeof e.rewards === 'string' ? decodeFloat32(e.rewards) : null, L, (x) => x.length),
    };
    for (let k = 0; k < ep.avail.length; k++) if (ep.avail[k] > 1) throw new DemoError('structure', `episodes[${i}].avail[${k}] is ${ep.avail[k]}: expected 0 or 1`);
    try {
      validateEpisode(spec, ep);
    } catch (err) {
      throw new DemoError('structure', `episodes[${i}]: ${(err as Error).message}`);
    }
    return ep;
  });
  if (f.checksum !== checksumOf(f as DemoFile)) throw new DemoError('checksum', 'the checksum does not match its contents (the file was changed or damaged)');
  for (const key of ['nAgents', 'obsSize', 'stateSize', 'nActions', 'episodeLimit'] as const) {
    const want = expect[key];
    if (want !== undefined && want !== spec[key]) throw new DemoError('mismatch', `recorded with ${key} ${spec[key]}, but it is being loaded for ${key} ${want}`);
  }
  if (expect.obsLayout) {
    const a = spec.obsLayout ?? [];
    const b = expect.obsLayout;
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i]?.name !== b[i]?.name || a[i]?.size !== b[i]?.size) {
        const show = (x?: ObsFeature) => (x ? `"${x.name}" (${x.size})` : 'nothing');
        throw new DemoError('mismatch', `observation layout differs at feature ${i}: the file has ${show(a[i])}, the game gives ${show(b[i])}`);
      }
    }
  }
  return { file: f as DemoFile, episodes };
}
