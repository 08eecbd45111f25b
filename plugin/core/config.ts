/**
 * The learner's hyperparameters: one typed record, each field documented once,
 * defaults filled from a named preset (`game`, the default; `pymarl`, the
 * oxwhirl/pymarl reference `default.yaml` + `algs/qmix.yaml`; `pymarl2`),
 * validated at the boundary and frozen afterwards.
 */
import { ConfigError } from './errors.js';

/** Agent network body. */
export type AgentKind = 'gru' | 'mlp';
/** Value factorisation: QMIX hypernet mixer, VDN sum, or none (independent Q-learning). */
export type MixerKind = 'qmix' | 'vdn' | 'none';
/** How the QMIX hypernetworks make mixing weights non-negative. */
export type NonNegative = 'abs' | 'softplus';
/**
 * How the QMIX mixer's weights start: `torch` (PyTorch's default fan-in
 * uniform init everywhere, as pymarl) or `neutral` (the same draws, with the
 * two state-only terms, the hypernetwork of the first layer's bias and the
 * last layer of V(s), set to zero, so Q_tot is 0 when every agent's Q is 0).
 */
export type MixerInit = 'torch' | 'neutral';
/** Optimiser family; every constant is passed explicitly so backends agree. */
export type OptimizerKind = 'rmsprop' | 'adam';
/** Target network update rule. */
export type TargetUpdate = 'hard' | 'soft';
/** Shape of the exploration schedule between start and finish. */
export type ScheduleKind = 'linear' | 'exponential';
/** Exploration rule used while training. */
export type ExplorationKind = 'epsilon-greedy' | 'boltzmann';
/**
 * A named set of defaults: `game` (small games with sparse team rewards; the
 * default), `pymarl` (the QMIX paper's reference, oxwhirl/pymarl) or
 * `pymarl2` (Hu et al. 2021, hijkzzz/pymarl2). See docs/tuning.md.
 */
export type PresetName = 'game' | 'pymarl' | 'pymarl2';

/** Every hyperparameter of the learner. Obtain one with {@link validateConfig}. */
export interface QmixConfig {
  /** Which preset filled the fields not given explicitly (recorded in checkpoints and policy files). */
  readonly preset: PresetName;
  /** Seed for weight init, replay sampling and exploration. pymarl draws one at random; we default to 0 for reproducibility. */
  readonly seed: number;

  /** Agent network: `gru` (Linear -> ReLU -> GRUCell -> Linear, pymarl's RNNAgent) or `mlp` (Linear -> ReLU -> Linear -> ReLU -> Linear). */
  readonly agent: AgentKind;
  /** Hidden width of the agent network (pymarl `rnn_hidden_dim`). */
  readonly hiddenDim: number;
  /** Append a one-hot agent id to each agent's input (pymarl `obs_agent_id`). */
  readonly obsAgentId: boolean;
  /** Append the one-hot previous action (zeros at t = 0) to each agent's input (pymarl `obs_last_action`). */
  readonly obsLastAction: boolean;

  /** Mixer: `qmix`, `vdn` (sum) or `none` (IQL: per-agent TD; with the shared agent net this is the seeds' PS-DQN). */
  readonly mixer: MixerKind;
  /** Width of the QMIX mixing hidden layer (pymarl `mixing_embed_dim`). */
  readonly mixingEmbedDim: number;
  /** Depth of the weight hypernetworks: 1 (Linear) or 2 (Linear -> ReLU -> Linear). */
  readonly hypernetLayers: 1 | 2;
  /** Hidden width of 2-layer hypernetworks (pymarl `hypernet_embed`). */
  readonly hypernetEmbed: number;
  /** Non-negativity of hypernetwork weights: `abs` (the paper) or `softplus`. */
  readonly nonNegative: NonNegative;
  /**
   * Initial mixer weights (see {@link MixerInit}). Under `torch` some seeds
   * start with Q_tot above every return the game can pay (1.2-1.3 on plates,
   * whose win pays 1): bootstrapping keeps that offset for tens of target
   * copies, ending an episode by winning looks worse than going on, and the
   * squad learns to avoid the goal. `neutral` starts Q_tot at 0.
   */
  readonly mixerInit: MixerInit;

  /** Discount factor. */
  readonly gamma: number;
  /** TD(lambda) mixing; 0 gives pymarl's one-step targets, pymarl2 uses 0.6. */
  readonly tdLambda: number;
  /** Double Q-learning: online net picks the next action, target net scores it. */
  readonly doubleQ: boolean;
  /**
   * Weight of DQfD's large-margin loss on demonstration rows (Hester et al.
   * 2018), beside the TD loss: `max_u [Q(s, u) + margin (u != a_demo)] - Q(s, a_demo)`
   * per agent and step. 0 (the default) turns it off; demonstrations are
   * then trained on by TD alone.
   */
  readonly demoLossWeight: number;
  /** The margin of that loss (DQfD: 0.8). */
  readonly demoMargin: number;
  /** Standardise rewards by running mean and std of the rewards seen in training batches (EPyMARL `standardise_rewards`). */
  readonly standardiseRewards: boolean;

  /** Optimiser: `rmsprop` (pymarl) or `adam` (pymarl2, EPyMARL). */
  readonly optimizer: OptimizerKind;
  /** Learning rate of the agent network (and of the mixer unless `mixerLr` is set). */
  readonly lr: number;
  /** Learning rate of the mixer; `null` means the same as `lr`. */
  readonly mixerLr: number | null;
  /** RMSProp smoothing constant (torch `alpha`; pymarl `optim_alpha`). */
  readonly rmspropAlpha: number;
  /** RMSProp epsilon, added outside the square root as in torch (pymarl `optim_eps`). */
  readonly rmspropEps: number;
  /** Adam beta1. */
  readonly adamBeta1: number;
  /** Adam beta2. */
  readonly adamBeta2: number;
  /** Adam epsilon (torch's 1e-8; tfjs WebGL would otherwise default to 1e-4). */
  readonly adamEps: number;
  /** Clip the global gradient norm to this value (pymarl `grad_norm_clip`). */
  readonly gradNormClip: number;

  /** Replay capacity in episodes. */
  readonly bufferSize: number;
  /** Episodes per training batch. */
  readonly batchSize: number;

  /** `hard`: copy online to target every `targetUpdateInterval` episodes; `soft`: Polyak averaging with `tau` after every update. */
  readonly targetUpdate: TargetUpdate;
  /** Episodes between hard target copies (pymarl `target_update_interval`). */
  readonly targetUpdateInterval: number;
  /** Polyak rate for soft target updates (BenchMARL uses 0.005). */
  readonly tau: number;

  /** Exploration rule while training. */
  readonly exploration: ExplorationKind;
  /** Schedule shape for epsilon (and Boltzmann temperature). */
  readonly epsilonSchedule: ScheduleKind;
  /** Epsilon at env step 0. */
  readonly epsilonStart: number;
  /** Epsilon after the anneal time. */
  readonly epsilonFinish: number;
  /** Env steps over which epsilon goes from start to finish (pymarl `epsilon_anneal_time`). */
  readonly epsilonAnnealTime: number;
  /** Boltzmann temperature at env step 0 (only with `exploration: 'boltzmann'`). */
  readonly temperatureStart: number;
  /** Boltzmann temperature after the anneal time. */
  readonly temperatureFinish: number;
}

/** The pymarl reference (shared/QMIX.md): the QMIX paper's StarCraft settings. */
const PYMARL: QmixConfig = Object.freeze({
  preset: 'pymarl',
  seed: 0,
  agent: 'gru',
  hiddenDim: 64,
  obsAgentId: true,
  obsLastAction: true,
  mixer: 'qmix',
  mixingEmbedDim: 32,
  hypernetLayers: 2,
  hypernetEmbed: 64,
  nonNegative: 'abs',
  mixerInit: 'torch',
  gamma: 0.99,
  tdLambda: 0,
  doubleQ: true,
  demoLossWeight: 0,
  demoMargin: 0.8,
  standardiseRewards: false,
  optimizer: 'rmsprop',
  lr: 5e-4,
  mixerLr: null,
  rmspropAlpha: 0.99,
  rmspropEps: 1e-5,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEps: 1e-8,
  gradNormClip: 10,
  bufferSize: 5000,
  batchSize: 32,
  targetUpdate: 'hard',
  targetUpdateInterval: 200,
  tau: 0.005,
  exploration: 'epsilon-greedy',
  epsilonSchedule: 'linear',
  epsilonStart: 1.0,
  epsilonFinish: 0.05,
  epsilonAnnealTime: 50000,
  temperatureStart: 1.0,
  temperatureFinish: 0.05,
} as const);

/**
 * The presets, each a complete config. `pymarl2` differs from `pymarl` where
 * hijkzzz/pymarl2's `qmix.yaml` does (Adam 1e-3, TD(lambda) 0.6, batch 128,
 * epsilon over 100k steps); its parallel envs are the CLI's `--envs`. `game`
 * was chosen by the preset suite (docs/tuning.md): pymarl2's Adam 1e-3 and
 * lambda 0.6, a hard target copy every 100 episodes instead of 200 (pursuit
 * learns with 100 or less, Carrot Heist with 100 or more, once the mixer
 * starts neutral), a mixer whose state-only terms start at zero
 * (`mixerInit: 'neutral'`: torch's init made plates seeds 3 and 4 start
 * Q_tot above the win's reward), epsilon over 20k steps instead of 50k
 * (small games are solved in tens of thousands of steps), a 2000-episode
 * replay (Hu et al.'s small buffer), pymarl's batch of 32 (pymarl2's 128
 * costs 4x per update), and rewards standardised by their running mean and
 * std (EPyMARL's `standardise_rewards`: LBF went from 1 of 5 seeds solved in
 * 300k steps to 5 of 5, and the other tasks stayed at 5 of 5, most in half
 * the steps).
 */
export const PRESETS: { readonly [P in PresetName]: QmixConfig } = Object.freeze({
  game: Object.freeze({ ...PYMARL, preset: 'game', optimizer: 'adam', lr: 1e-3, tdLambda: 0.6, targetUpdateInterval: 100, epsilonAnnealTime: 20000, bufferSize: 2000, mixerInit: 'neutral', standardiseRewards: true }),
  pymarl: PYMARL,
  pymarl2: Object.freeze({ ...PYMARL, preset: 'pymarl2', optimizer: 'adam', lr: 1e-3, tdLambda: 0.6, batchSize: 128, epsilonAnnealTime: 100000 }),
} as const);

/** The default config: the `game` preset. */
export const DEFAULT_CONFIG: QmixConfig = PRESETS.game;

type Rule = (value: unknown) => string | null;

const oneOf = (...allowed: readonly (string | number | boolean)[]): Rule => (v) =>
  allowed.includes(v as string) ? null : `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
const bool: Rule = (v) => (typeof v === 'boolean' ? null : 'true or false');
const int = (min: number, max = Number.MAX_SAFE_INTEGER): Rule => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
    ? null
    : `an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? 'inf' : max}]`;
const num = (min: number, max: number, opts: { minOpen?: boolean; maxOpen?: boolean } = {}): Rule => (v) => {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (opts.minOpen ? v > min : v >= min) &&
    (opts.maxOpen ? v < max : v <= max);
  const lo = opts.minOpen ? '(' : '[';
  const hi = opts.maxOpen ? ')' : ']';
  return ok ? null : `a finite number in ${lo}${min}, ${max === Infinity ? 'inf' : max}${hi}`;
};
const nullOr = (rule: Rule): Rule => (v) => (v === null ? null : (rule(v) === null ? null : `null or ${rule(v)}`));

const RULES: { readonly [K in keyof QmixConfig]: Rule } = {
  preset: oneOf('game', 'pymarl', 'pymarl2'),
  seed: int(0, 0xffffffff),
  agent: oneOf('gru', 'mlp'),
  hiddenDim: int(1, 4096),
  obsAgentId: bool,
  obsLastAction: bool,
  mixer: oneOf('qmix', 'vdn', 'none'),
  mixingEmbedDim: int(1, 4096),
  hypernetLayers: oneOf(1, 2),
  hypernetEmbed: int(1, 4096),
  nonNegative: oneOf('abs', 'softplus'),
  mixerInit: oneOf('torch', 'neutral'),
  gamma: num(0, 1),
  tdLambda: num(0, 1),
  doubleQ: bool,
  demoLossWeight: num(0, 1000),
  demoMargin: num(0, 1000),
  standardiseRewards: bool,
  optimizer: oneOf('rmsprop', 'adam'),
  lr: num(0, 1, { minOpen: true }),
  mixerLr: nullOr(num(0, 1, { minOpen: true })),
  rmspropAlpha: num(0, 1, { maxOpen: true }),
  rmspropEps: num(0, 1, { minOpen: true }),
  adamBeta1: num(0, 1, { maxOpen: true }),
  adamBeta2: num(0, 1, { maxOpen: true }),
  adamEps: num(0, 1, { minOpen: true }),
  gradNormClip: num(0, Infinity, { minOpen: true }),
  bufferSize: int(1, 1_000_000),
  batchSize: int(1),
  targetUpdate: oneOf('hard', 'soft'),
  targetUpdateInterval: int(1),
  tau: num(0, 1, { minOpen: true }),
  exploration: oneOf('epsilon-greedy', 'boltzmann'),
  epsilonSchedule: oneOf('linear', 'exponential'),
  epsilonStart: num(0, 1),
  epsilonFinish: num(0, 1),
  epsilonAnnealTime: int(0),
  temperatureStart: num(0, Infinity, { minOpen: true }),
  temperatureFinish: num(0, Infinity, { minOpen: true }),
};

/** The config field names, in declaration order. */
export const CONFIG_KEYS = Object.freeze(Object.keys(RULES) as (keyof QmixConfig)[]);

/**
 * Checks a partial config, fills the fields it leaves out from its preset
 * (`game` unless `preset` says otherwise) and returns a frozen
 * {@link QmixConfig}. Explicit fields win over the preset's. The input
 * object is never modified.
 *
 * @throws {@link ConfigError} naming the field, the bad value and what is allowed;
 *   unknown fields are refused too (a typo must not silently fall back to a default).
 *
 * @example
 * ```ts
 * const config = validateConfig({ mixer: 'vdn', agent: 'mlp', lr: 1e-3 });
 * config.gamma; // 0.99 (from the `game` preset)
 * validateConfig({ preset: 'pymarl' }).tdLambda; // 0 (one-step targets, as in the paper)
 * validateConfig({ gamma: 1.5 }); // throws: config.gamma = 1.5 is invalid: expected a finite number in [0, 1]
 * ```
 */
export function validateConfig(partial: Partial<QmixConfig> | Record<string, unknown> = {}): QmixConfig {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new ConfigError('config', partial, 'an object of hyperparameters');
  }
  const preset = (partial as Record<string, unknown>).preset ?? 'game';
  const presetProblem = RULES.preset(preset);
  if (presetProblem !== null) throw new ConfigError('preset', preset, presetProblem);
  const merged: Record<string, unknown> = { ...PRESETS[preset as PresetName] };
  for (const [key, value] of Object.entries(partial)) {
    // Own keys only: "constructor" or "toString" must not pass as fields through the prototype.
    if (!Object.hasOwn(RULES, key)) {
      throw new ConfigError(key, value, `a known field (${suggest(key)})`, 'unknown field');
    }
    if (value !== undefined) merged[key] = value;
  }
  for (const key of CONFIG_KEYS) {
    const problem = RULES[key](merged[key]);
    if (problem !== null) throw new ConfigError(key, merged[key], problem);
  }
  if (merged.epsilonSchedule === 'exponential' && (merged.epsilonFinish as number) <= 0) {
    throw new ConfigError('epsilonFinish', merged.epsilonFinish, 'a number > 0 with an exponential schedule');
  }
  if ((merged.batchSize as number) > (merged.bufferSize as number)) {
    throw new ConfigError('batchSize', merged.batchSize, `at most bufferSize (${String(merged.bufferSize)})`);
  }
  return Object.freeze(merged) as unknown as QmixConfig;
}

/**
 * Lists the fields where two configs differ, as `field: a -> b` strings
 * (used to refuse a checkpoint trained under another config). The preset's
 * name is a label, not a value: two configs with equal values and different
 * preset names do not differ.
 * @example
 * ```ts
 * diffConfigs(validateConfig(), validateConfig({ lr: 1e-3 })); // ['lr: 0.0005 -> 0.001']
 * ```
 */
export function diffConfigs(a: QmixConfig, b: QmixConfig): string[] {
  return CONFIG_KEYS.filter((k) => k !== 'preset' && a[k] !== b[k]).map((k) => `${k}: ${JSON.stringify(a[k])} -> ${JSON.stringify(b[k])}`);
}

function suggest(key: string): string {
  const lower = key.toLowerCase();
  const close = CONFIG_KEYS.filter((k) => {
    const kl = k.toLowerCase();
    return kl.includes(lower) || lower.includes(kl) || editDistance(kl, lower) <= 2;
  });
  return close.length > 0 ? `did you mean ${close.join(' or ')}?` : `one of ${CONFIG_KEYS.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
