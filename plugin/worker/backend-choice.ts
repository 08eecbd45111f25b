/**
 * How the worker picks its tfjs backend for `backend: 'auto'`. Timing WebGL
 * is expensive where it runs on a software renderer (the first update of the
 * reference GRU squad took 20-43 s on SwiftShader before training began), so
 * the decision avoids the trial whenever it can tell the answer without it:
 *
 * 1. no WebGL context at all -> wasm;
 * 2. WebGL on a software renderer (SwiftShader, llvmpipe, ...) -> wasm;
 * 3. an update so small that the fused WASM kernels beat any GPU -> wasm;
 * 4. a choice remembered for this renderer and update shape -> that;
 * 5. otherwise time wasm, then WebGL with its first update bounded, and keep
 *    (and remember) the faster.
 *
 * Pure logic: the renderer, the backend switch, the timing and the store are
 * injected, so all of it runs in Node tests. No tfjs, no DOM here.
 */
import { estimateUpdate, type UpdateShape } from './update-cost.js';

export { estimateUpdate, updateShape, type UpdateShape } from './update-cost.js';

/** Backends the choice can land on (cpu only when neither wasm nor WebGL starts). */
export type ChosenBackend = 'wasm' | 'webgl' | 'cpu';

/** A choice kept from an earlier trial. */
export interface RememberedChoice {
  readonly choice: ChosenBackend;
  readonly timings: { readonly [name: string]: number | null };
  readonly reason: string;
  /** When it was decided (ms since the epoch). */
  readonly at: number;
}

/** Where choices are remembered (IndexedDB in a browser worker; memory in tests). */
export interface BackendChoiceStore {
  get(key: string): Promise<RememberedChoice | undefined>;
  put(key: string, value: RememberedChoice): Promise<void>;
}

/** Timing of a trial: the first update and the median of the rest (null: stopped after the first). */
export interface TrialTiming {
  readonly first: number;
  readonly steady: number | null;
}

/** What the decision needs from the place it runs in. */
export interface BackendProbes {
  /** The unmasked WebGL renderer; null: no WebGL context can be made. Absent: cannot tell (then no renderer rule applies). */
  renderer?(): string | null;
  /** Switches tfjs to a backend; rejects when it cannot start. */
  use(backend: ChosenBackend): Promise<void>;
  /** Times `updates` updates on the active backend, stopping after the first if it took over `firstLimitMs`. */
  time(updates: number, firstLimitMs: number): TrialTiming | Promise<TrialTiming>;
  /** Remembers trial results across sessions; null or absent: nothing is remembered. */
  readonly store?: BackendChoiceStore | null;
  /** Wall clock for remembered dates (Date.now by default). */
  now?(): number;
}

/** Knobs of {@link decideBackend}; only `shape` and `trialUpdates` are required. */
export interface ChoiceOptions {
  readonly shape: UpdateShape;
  /** Updates timed per backend (at least 2: the first is compilation). */
  readonly trialUpdates: number;
  /** Stop the WebGL trial when its first update takes longer (ms). Default 3000. */
  readonly firstLimitMs?: number;
  /** Forget a remembered choice after this long (ms): drivers and browsers change. Default 30 days. */
  readonly rememberForMs?: number;
  /** Give up on a store that does not answer within this long (ms). Default 1000. */
  readonly storeTimeoutMs?: number;
}

/** The decision, as posted in the worker's `backend` message. */
export interface BackendDecision {
  readonly choice: ChosenBackend;
  readonly timings: { readonly [name: string]: number | null };
  /** Why, in words (shown to developers). */
  readonly reason: string;
}

/** Renderers that draw on the CPU: WebGL there runs tfjs's shaders far slower than the WASM kernels. */
export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|mesa offscreen/i;

const SOFTWARE_NAMES: Record<string, string> = {
  swiftshader: 'SwiftShader',
  llvmpipe: 'llvmpipe',
  softpipe: 'softpipe',
  software: 'a software rasterizer',
  'basic render': 'Microsoft Basic Render Driver',
  'mesa offscreen': 'Mesa OffScreen',
};

/**
 * The software renderer named in a WebGL renderer string, or null for hardware.
 * @example
 * ```ts
 * softwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)'); // 'SwiftShader'
 * softwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11)'); // null
 * ```
 */
export function softwareRenderer(renderer: string): string | null {
  const m = SOFTWARE_RENDERER.exec(renderer);
  return m ? (SOFTWARE_NAMES[m[0].toLowerCase()] ?? m[0]) : null;
}

/**
 * The key a choice is remembered under: the renderer and the update shape.
 * @example
 * ```ts
 * await store.put(choiceKey(renderer, shape), remembered);
 * ```
 */
export function choiceKey(renderer: string, s: UpdateShape): string {
  const mix = s.mixer === 'qmix' ? `qmix${s.mixingEmbedDim}/${s.hypernetLayers === 2 ? s.hypernetEmbed : 'x'}` : s.mixer;
  return `v1|${renderer}|${s.agent}${s.hiddenDim} in${s.inputSize} n${s.nAgents} a${s.nActions} s${s.stateSize} ${mix} b${s.batchSize} L${s.steps}`;
}

/**
 * Choices in memory (tests; a page that wants no persistence).
 * @example
 * ```ts
 * const store = new MemoryChoiceStore();
 * await decideBackend({ ...probes, store }, { shape, trialUpdates: 3 });
 * ```
 */
export class MemoryChoiceStore implements BackendChoiceStore {
  readonly entries = new Map<string, RememberedChoice>();
  async get(key: string): Promise<RememberedChoice | undefined> {
    return this.entries.get(key);
  }
  async put(key: string, value: RememberedChoice): Promise<void> {
    this.entries.set(key, value);
  }
}

const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function withTimeout<T>(p: Promise<T>, limit: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${limit} ms`)), limit);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

/**
 * Decides the backend for `auto` (see the module comment for the order) and
 * leaves tfjs switched to it. Never throws for a probe or store failure:
 * those only add a note to the reason.
 * @example
 * ```ts
 * const d = await decideBackend(
 *   { renderer: probeWebglRenderer, use: (b) => useBackend(b), time: (n, limit) => trial(n, limit), store: new IdbChoiceStore() },
 *   { shape: updateShape(spec, config), trialUpdates: 3 },
 * );
 * post({ type: 'backend', ...d });
 * ```
 */
export async function decideBackend(probes: BackendProbes, options: ChoiceOptions): Promise<BackendDecision> {
  const { shape } = options;
  const updates = Math.max(2, options.trialUpdates);
  const firstLimitMs = options.firstLimitMs ?? 3000;
  const storeTimeoutMs = options.storeTimeoutMs ?? 1000;
  const now = (): number => probes.now?.() ?? Date.now();
  // `webgl` stays in the timings as null when it was not timed, so readers can tell.
  const timings: Record<string, number | null> = { wasm: null, webgl: null };
  const notes: string[] = [];
  const withNotes = (reason: string): string => (notes.length ? `${reason}; ${notes.join('; ')}` : reason);

  /** Times `b`; false when it does not start or fails its trial. */
  const trial = async (b: 'wasm' | 'webgl', limit: number): Promise<TrialTiming | null> => {
    try {
      await probes.use(b);
      const t = await probes.time(updates, limit);
      timings[b] = t.steady === null ? null : Math.round(t.steady);
      timings[`${b}First`] = Math.round(t.first);
      return t;
    } catch (e) {
      timings[b] = null;
      notes.push(`${b} unavailable (${message(e)})`);
      return null;
    }
  };
  /** WASM without a WebGL trial (timed all the same: cheap, and it shows in the event); CPU if WASM fails. */
  const wasmOnly = async (reason: string): Promise<BackendDecision> => {
    const t = await trial('wasm', Number.POSITIVE_INFINITY);
    if (t) return { choice: 'wasm', timings, reason: withNotes(reason) };
    await probes.use('cpu');
    return { choice: 'cpu', timings, reason: withNotes(reason.replace(/wasm$/, 'cpu')) };
  };

  let renderer: string | null | undefined;
  try {
    renderer = probes.renderer?.();
  } catch (e) {
    notes.push(`the WebGL renderer could not be read (${message(e)})`);
  }
  if (renderer === null) return wasmOnly('webgl unavailable (this worker cannot create a WebGL context): no trial, wasm');
  const soft = renderer ? softwareRenderer(renderer) : null;
  if (soft) return wasmOnly(`WebGL runs on a software renderer (${soft}): no trial, wasm`);
  const est = estimateUpdate(shape);
  if (est.wasmMs <= est.webglFloorMs) {
    return wasmOnly(
      `the update is small (at most about ${ms(est.wasmMs)} on wasm, while WebGL needs ${est.kernels} shader launches, at least ${ms(est.webglFloorMs)} on any GPU): no trial, wasm`,
    );
  }

  const store = probes.store ?? null;
  const key = choiceKey(renderer ?? 'unknown renderer', shape);
  if (store) {
    try {
      const hit = await withTimeout(store.get(key), storeTimeoutMs, 'the backend-choice store');
      const fresh = hit && now() - hit.at <= (options.rememberForMs ?? 30 * 24 * 3600 * 1000);
      if (hit && fresh) {
        try {
          await probes.use(hit.choice);
          const day = new Date(hit.at).toISOString().slice(0, 10);
          return { choice: hit.choice, timings: hit.timings, reason: withNotes(`remembered for this device and update shape (trial of ${day}: ${hit.reason})`) };
        } catch (e) {
          notes.push(`the remembered ${hit.choice} did not start (${message(e)})`);
        }
      }
    } catch (e) {
      notes.push(`no remembered choice (${message(e)})`);
    }
  }

  const wasm = await trial('wasm', Number.POSITIVE_INFINITY);
  const webgl = await trial('webgl', firstLimitMs);
  const cut = webgl !== null && webgl.steady === null;
  let choice: ChosenBackend;
  let reason: string;
  if (cut) {
    choice = wasm ? 'wasm' : 'cpu';
    reason = `the first WebGL update took ${ms(webgl.first)} (over the ${ms(firstLimitMs)} limit): trial stopped, ${choice}`;
  } else {
    const usable = (['wasm', 'webgl'] as const).filter((b) => timings[b] !== null);
    choice = usable.length === 0 ? 'cpu' : usable.reduce((a, b) => ((timings[b] as number) < (timings[a] as number) ? b : a));
    reason =
      usable.length === 0
        ? 'no fast backend'
        : `fastest steady update of the ${usable.join(' and ')} trial (${usable.map((b) => `${b} ${ms(timings[b] as number)}`).join(', ')})`;
  }
  await probes.use(choice);
  // Remember only what a WebGL trial decided: the other rules are free to apply again.
  if (store && webgl !== null && choice !== 'cpu') {
    try {
      await withTimeout(store.put(key, { choice, timings: { ...timings }, reason, at: now() }), storeTimeoutMs, 'the backend-choice store');
    } catch (e) {
      notes.push(`the choice was not remembered (${message(e)})`);
    }
  }
  return { choice, timings, reason: withNotes(reason) };
}
