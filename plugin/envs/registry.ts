/**
 * Environments by name, for the CLI and `train({ env: 'name' })`. A name may
 * carry arguments after a colon, e.g. `meeting-gridworld:7x7-3a`.
 */
import type { MultiAgentEnv } from '../core/env.js';
import { LevelBasedForaging, parseLbfName } from './lbf.js';
import { MatrixGameEnv, NONMONOTONIC_PAYOFF } from './matrix-game.js';
import { MeetingGridworld } from './meeting-gridworld.js';
import { TwoStepEnv } from './two-step.js';
import { parseGridSize } from './grid-task.js';
import { PressurePlates } from './pressure-plates.js';
import { Pursuit } from './pursuit.js';

/** Makes an env from the text after the colon ('' when none). */
export type EnvFactory = (args: string) => MultiAgentEnv;

const registry = new Map<string, { readonly factory: EnvFactory; readonly help: string }>();

/**
 * Registers an env under `name` (replacing any earlier one).
 * @example
 * ```ts
 * registerEnv('my-arena', () => new ArenaEnv(), 'the arena of my game');
 * ```
 */
export function registerEnv(name: string, factory: EnvFactory, help = ''): void {
  if (!/^[a-z][\w-]*$/.test(name)) throw new Error(`env name ${JSON.stringify(name)} must be lowercase letters, digits, '-' or '_'`);
  registry.set(name, { factory, help });
}

/** Registered names with their help text. */
export function listEnvs(): { name: string; help: string }[] {
  return [...registry].map(([name, e]) => ({ name, help: e.help }));
}

/**
 * Makes the env called `name` (with optional `:args`).
 * @throws Error naming the unknown env and listing the known ones.
 * @example
 * ```ts
 * const env = makeEnv('meeting-gridworld:5x5-2a');
 * ```
 */
export function makeEnv(name: string): MultiAgentEnv {
  const [base, ...rest] = name.split(':');
  const entry = registry.get(base);
  if (!entry) throw new Error(`unknown env ${JSON.stringify(name)}: known envs are ${[...registry.keys()].join(', ')}`);
  return entry.factory(rest.join(':'));
}

registerEnv('two-step', () => new TwoStepEnv(), 'the QMIX paper two-step game (optimum 8, VDN 7)');
registerEnv('matrix-nonmono', () => new MatrixGameEnv(NONMONOTONIC_PAYOFF), 'the non-monotonic one-step matrix game');
registerEnv(
  'meeting-gridworld',
  (args) => {
    if (args === '') return new MeetingGridworld();
    const m = /^(\d+)x\1-(\d+)a$/.exec(args);
    if (!m) throw new Error(`meeting-gridworld arguments ${JSON.stringify(args)} must look like 5x5-2a (size x size - agents)`);
    return new MeetingGridworld({ size: Number(m[1]), agents: Number(m[2]) });
  },
  'agents rewarded when all stand on one cell; args SIZExSIZE-Na (default 5x5-2a)',
);
registerEnv(
  'lbf',
  (args) => new LevelBasedForaging(parseLbfName(args || '8x8-2p-2f-coop')),
  'Level-Based Foraging (v3 rules); args SIZExSIZE-Pp-Ff[-coop][-Ss], e.g. lbf:8x8-2p-2f-coop',
);
registerEnv(
  'plates',
  (args) => {
    const random = args.endsWith('-random');
    return new PressurePlates({ size: parseGridSize(random ? args.slice(0, -'-random'.length) : args, 6, 'plates'), randomPlates: random });
  },
  'two agents must stand on two plates (fixed corners; -random: random cells each episode) at the same time (team reward 1, step penalty 0.01); args SIZExSIZE[-random] (default 6x6)',
);
registerEnv(
  'pursuit',
  (args) => new Pursuit({ size: parseGridSize(args, 7, 'pursuit') }),
  'two hunters must both be next to a wandering prey at once (team reward 1, step penalty 0.01); args SIZExSIZE (default 7x7)',
);
