/**
 * **contract: policy file.** What a shipped game loads: versioned JSON with
 * the env sizes it was trained for, the agent network's architecture and
 * weights (no mixer: execution is decentralised), the observation layout,
 * training metadata and a checksum. Nothing runs on a file that fails any
 * check below.
 */
import { agentParamSpecs, type AgentNetShape } from '../core/agent-arch.js';
import type { ObsFeature } from '../core/env.js';
import { canonicalJson, decodeFloat32, hash53 } from '../core/encoding.js';

/** The `format` field of every policy file. */
export const POLICY_FORMAT = 'phaser-qmix/policy';
/** The newest policy file version this runtime reads. */
export const POLICY_VERSION = 1;

/** Training facts recorded in a policy file. */
export interface PolicyTraining {
  /** `qmix`, `vdn` or `iql` (mixer `none`). */
  readonly algorithm: string;
  readonly updates: number;
  readonly episodes: number;
  readonly envSteps: number;
  readonly seed: number;
  /** The config preset training started from (`game`, `pymarl`, `pymarl2`); absent in files written before presets. */
  readonly preset?: string;
  /** ISO date of export. */
  readonly date: string;
  readonly backend?: string;
}

/** A policy file as stored (JSON). */
export interface PolicyFile {
  readonly format: typeof POLICY_FORMAT;
  readonly version: number;
  readonly spec: { readonly nAgents: number; readonly obsSize: number; readonly nActions: number; readonly actionNames?: readonly string[] };
  readonly observation: { readonly layout: readonly ObsFeature[] };
  readonly network: AgentNetShape & { readonly obsLastAction: boolean; readonly obsAgentId: boolean };
  /** Agent weights by name: shape and little-endian float32 data in base64. */
  readonly weights: { readonly [name: string]: { readonly shape: readonly number[]; readonly data: string } };
  readonly training: PolicyTraining;
  /** `cyrb53:<hex>` of the canonical JSON of every other field. */
  readonly checksum: string;
}

/** Sizes a game expects a policy to fit; any omitted field is not checked. */
export interface PolicyExpectation {
  readonly nAgents?: number;
  readonly obsSize?: number;
  readonly nActions?: number;
  /** When given, names and sizes must match the policy's layout in order. */
  readonly obsLayout?: readonly ObsFeature[];
}

/** Why a policy file was refused. */
export type PolicyErrorKind = 'not-json' | 'format' | 'version' | 'structure' | 'weights' | 'checksum' | 'mismatch';

/**
 * A policy file that cannot be used, with a message saying why.
 * @example
 * ```ts
 * try { loadPolicy(text); } catch (e) { if (e instanceof PolicyError && e.kind === 'checksum') showDamagedFileMessage(); }
 * ```
 */
export class PolicyError extends Error {
  constructor(
    readonly kind: PolicyErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}

/**
 * The largest sizes a policy file may declare. A file's sizes decide what
 * loading allocates (per agent: a hidden state, Q-values, a last action),
 * and with `obsAgentId: false` the agent count appears in no weight shape,
 * so a small file could otherwise declare a billion agents. Far above any
 * squad this runtime is for; raise them here if a game needs more.
 */
export const POLICY_LIMITS = Object.freeze({ nAgents: 4096, obsSize: 65536, nActions: 4096, hiddenDim: 4096, layoutEntries: 65536, weightValues: 64 * 1024 * 1024 });

/** A checked policy: the file and its decoded weights. */
export interface ParsedPolicy {
  readonly file: PolicyFile;
  readonly weights: { readonly [name: string]: Float32Array };
}

/**
 * The checksum a file should carry: hash of the canonical JSON of all fields but `checksum`.
 * @example
 * ```ts
 * const file = { ...unsealed, checksum: policyChecksum(unsealed) };
 * ```
 */
export function policyChecksum(file: Omit<PolicyFile, 'checksum'> | PolicyFile): string {
  const { checksum: _ignored, ...rest } = file as PolicyFile;
  return `cyrb53:${hash53(canonicalJson(rest))}`;
}

/**
 * Parses and checks a policy file (JSON text or an already parsed object).
 * Checks, in order: JSON, format, version, structure, weights (names,
 * shapes, lengths, finite values), checksum, then the expectation.
 * @throws {@link PolicyError} whose `kind` and message name the problem.
 * @example
 * ```ts
 * const { file, weights } = parsePolicyFile(await (await fetch('squad.policy.json')).text(), { obsSize: 30, nActions: 5 });
 * ```
 */
export function parsePolicyFile(input: string | object, expect: PolicyExpectation = {}): ParsedPolicy {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (e) {
      throw new PolicyError('not-json', `policy file is not valid JSON (${(e as Error).message})`);
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PolicyError('not-json', 'policy file must be a JSON object');
  try {
    return checkParsed(raw as Record<string, unknown>, expect);
  } catch (e) {
    throw asPolicyError(e);
  }
}

/**
 * Whatever a crafted file makes the checks throw reaches the caller as a
 * PolicyError: a nesting deeper than the stack (the checksum walks the
 * whole file) is a RangeError otherwise.
 */
function asPolicyError(e: unknown): PolicyError {
  if (e instanceof PolicyError) return e;
  if (e instanceof RangeError && /call stack/i.test(e.message)) return new PolicyError('structure', 'policy file is nested too deeply to check');
  return new PolicyError('structure', `policy file could not be checked: ${(e as Error)?.message ?? String(e)}`);
}

function checkParsed(f: Record<string, unknown>, expect: PolicyExpectation): ParsedPolicy {
  if (f.format !== POLICY_FORMAT) {
    throw new PolicyError('format', `not a phaser-qmix policy file: format is ${JSON.stringify(f.format)}, expected "${POLICY_FORMAT}"`);
  }
  if (typeof f.version !== 'number' || !Number.isInteger(f.version) || f.version < 1) {
    throw new PolicyError('version', `policy file version ${JSON.stringify(f.version)} is invalid`);
  }
  if (f.version > POLICY_VERSION) {
    throw new PolicyError('version', `policy file version ${f.version} is newer than this runtime reads (${POLICY_VERSION}): update phaser-qmix`);
  }
  const file = checkStructure(f, true);
  const weights = checkWeights(file.network, file.weights, (data) => (typeof data === 'string' ? decodeFloat32(data) : null), 'base64 float32 data');
  const expected = policyChecksum(file);
  if (file.checksum !== expected) {
    throw new PolicyError('checksum', `policy file checksum mismatch: the file was changed or damaged (it says ${file.checksum}, its content gives ${expected})`);
  }
  checkExpectation(file, expect);
  return { file, weights };
}

/** A policy without the file wrapping: header fields plus raw weight arrays (what a training worker streams). */
export type PolicyHeader = Omit<PolicyFile, 'weights' | 'checksum'>;

/**
 * Checks a policy sent as a header plus Float32Array weights (no base64,
 * no checksum: used for weights streamed from a training worker, where the
 * arrays arrive as transferables). Same structure and weight checks as files.
 * @throws {@link PolicyError} naming the problem.
 * @example
 * ```ts
 * const parsed = parsePolicyArrays(message.header, message.weights);
 * const policy = new GreedyPolicy(parsed);
 * ```
 */
export function parsePolicyArrays(header: unknown, weights: unknown): ParsedPolicy {
  if (header === null || typeof header !== 'object') throw new PolicyError('structure', 'policy header must be an object');
  const h = header as Record<string, unknown>;
  if (h.format !== POLICY_FORMAT) throw new PolicyError('format', `not a phaser-qmix policy: format is ${JSON.stringify(h.format)}`);
  if (weights === null || typeof weights !== 'object') throw new PolicyError('weights', 'policy weights must be an object of Float32Arrays');
  try {
    const file = checkStructure({ ...h, weights, checksum: '' }, false);
    const arrays = checkWeights(file.network, weights as Record<string, unknown>, (data) => (data instanceof Float32Array ? data : null), 'a Float32Array');
    return { file, weights: arrays };
  } catch (e) {
    throw asPolicyError(e);
  }
}

function checkStructure(f: Record<string, unknown>, requireChecksum: boolean): PolicyFile {
  const fail = (what: string): never => {
    throw new PolicyError('structure', `policy file ${what}`);
  };
  const obj = (v: unknown, name: string): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(`is missing the "${name}" object`);
  const posInt = (v: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number => {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1)) return fail(`${name} = ${JSON.stringify(v)} is invalid: expected a positive integer`);
    return v <= max ? v : fail(`${name} = ${v} is more than this runtime loads (${max}): refusing to allocate for it`);
  };
  const spec = obj(f.spec, 'spec');
  const net = obj(f.network, 'network');
  obj(f.weights, 'weights');
  obj(f.training, 'training');
  const observation = obj(f.observation, 'observation');
  const nAgents = posInt(spec.nAgents, 'spec.nAgents', POLICY_LIMITS.nAgents);
  const obsSize = posInt(spec.obsSize, 'spec.obsSize', POLICY_LIMITS.obsSize);
  const nActions = posInt(spec.nActions, 'spec.nActions', POLICY_LIMITS.nActions);
  if (net.kind !== 'gru' && net.kind !== 'mlp') fail(`network.kind = ${JSON.stringify(net.kind)} is invalid: expected "gru" or "mlp"`);
  posInt(net.hiddenDim, 'network.hiddenDim', POLICY_LIMITS.hiddenDim);
  if (typeof net.obsLastAction !== 'boolean' || typeof net.obsAgentId !== 'boolean') fail('network.obsLastAction and network.obsAgentId must be booleans');
  const inputSize = obsSize + (net.obsLastAction ? nActions : 0) + (net.obsAgentId ? nAgents : 0);
  if (net.inputSize !== inputSize) fail(`network.inputSize = ${JSON.stringify(net.inputSize)} does not match obs ${obsSize} + extras (${inputSize})`);
  if (net.nActions !== nActions) fail(`network.nActions = ${JSON.stringify(net.nActions)} does not match spec.nActions ${nActions}`);
  const layout = observation.layout;
  if (Array.isArray(layout) && layout.length > POLICY_LIMITS.layoutEntries) fail(`observation.layout has ${layout.length} entries, more than this runtime loads (${POLICY_LIMITS.layoutEntries})`);
  if (!Array.isArray(layout) || layout.some((x) => typeof x?.name !== 'string' || !Number.isInteger(x?.size) || x.size < 1)) {
    fail('observation.layout must be a list of { name, size }');
  }
  const total = (layout as ObsFeature[]).reduce((s, x) => s + x.size, 0);
  if (total !== obsSize) fail(`observation.layout sizes sum to ${total}, but spec.obsSize is ${obsSize}`);
  if (requireChecksum && typeof f.checksum !== 'string') fail('has no checksum');
  return f as unknown as PolicyFile;
}

function checkWeights(
  network: PolicyFile['network'],
  entries: Record<string, unknown>,
  decode: (data: unknown) => Float32Array | null,
  what: string,
): Record<string, Float32Array> {
  const specs = agentParamSpecs(network);
  // Before anything is decoded: what the declared shapes would take.
  const values = specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
  if (values > POLICY_LIMITS.weightValues) throw new PolicyError('weights', `policy weights would hold ${values} values, more than this runtime loads (${POLICY_LIMITS.weightValues})`);
  const out: Record<string, Float32Array> = {};
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(entries)) {
    if (!known.has(name)) throw new PolicyError('weights', `policy weights have an unknown entry "${name}" for a ${network.kind} network`);
  }
  for (const s of specs) {
    const raw = entries[s.name];
    const want = `[${s.shape.join(', ')}]`;
    if (raw === undefined || raw === null) throw new PolicyError('weights', `policy weights are missing "${s.name}" (${want})`);
    // Files carry { shape, data }; streamed weights are the arrays themselves.
    const w = (raw instanceof Float32Array ? { shape: s.shape, data: raw } : raw) as { shape?: unknown; data?: unknown };
    if (!Array.isArray(w.shape) || w.shape.length !== s.shape.length || w.shape.some((d, i) => d !== s.shape[i])) {
      throw new PolicyError('weights', `policy weights "${s.name}" have shape ${JSON.stringify(w.shape)}, expected ${want}`);
    }
    const data = decode(w.data);
    if (data === null) throw new PolicyError('weights', `policy weights "${s.name}" are not ${what}`);
    const size = s.shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new PolicyError('weights', `policy weights "${s.name}" are truncated: ${data.length} values, expected ${size} (${want})`);
    }
    for (let i = 0; i < size; i++) {
      if (!Number.isFinite(data[i])) throw new PolicyError('weights', `policy weights "${s.name}"[${i}] is ${data[i]}: refusing to run on non-finite weights`);
    }
    out[s.name] = data;
  }
  return out;
}

function checkExpectation(file: PolicyFile, e: PolicyExpectation): void {
  const sizes: [keyof PolicyExpectation & keyof PolicyFile['spec'], string][] = [
    ['nAgents', 'agents'],
    ['obsSize', 'obs size'],
    ['nActions', 'action count'],
  ];
  for (const [key, label] of sizes) {
    const want = e[key];
    if (want !== undefined && want !== file.spec[key]) {
      throw new PolicyError('mismatch', `policy was trained for ${label} ${file.spec[key]}, but it is being loaded for ${label} ${want}`);
    }
  }
  if (e.obsLayout !== undefined) {
    const a = file.observation.layout;
    const b = e.obsLayout;
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i]?.name !== b[i]?.name || a[i]?.size !== b[i]?.size) {
        const show = (x?: ObsFeature) => (x ? `"${x.name}" (${x.size})` : 'nothing');
        throw new PolicyError('mismatch', `observation layout differs at feature ${i}: the policy has ${show(a[i])}, the game gives ${show(b[i])}`);
      }
    }
  }
}
