// Bench key `cliPhases` (issue 20, item 3): where the CLI's wall time goes.
// One `train()` run as `phaser-qmix train --steps 200000` makes it (the
// default preset, one env, 10 greedy test episodes every 10k env steps), with the
// phases timed by wrapping the methods that do them: the env's reset and
// step, the acting policy's forward, the replay's batch sampling and
// collation, the learner's update, and the greedy tests (their env steps and
// acting counted there, not twice). The rest is what is left of the wall
// time: action selection, episode building, storing, bookkeeping.
// Before issue 20 (acting through tfjs, updates on one thread) and now
// (acting through the kernel, updates on two threads) alternate in one run.
//   node --import tsx test/bench/cli-phases.ts [carrot-heist|lbf:8x8-2p-2f-coop] [steps]
import { performance } from 'node:perf_hooks';
import { EpisodeBuffer } from '../../plugin/core/replay.js';
import { makeEnv } from '../../plugin/envs/registry.js';
import { QLearner } from '../../plugin/learn/learner.js';
import { useTfjsActing } from '../../plugin/learn/actor.js';
import { useKernelThreads } from '../../plugin/node/kernel-threads.js';
import { Trainer } from '../../plugin/learn/trainer.js';
import { train } from '../../plugin/learn/train.js';
import '../../demo-game/rules/env.js'; // registers carrot-heist

/** Seconds per 10k env steps in each phase, and the run's own rates. */
export interface CliPhases {
  readonly env: string;
  readonly steps: number;
  readonly updates: number;
  readonly actor: string;
  readonly threads: 1 | 2;
  readonly secondsPer10k: { readonly env: number; readonly acting: number; readonly updates: number; readonly collation: number; readonly tests: number; readonly rest: number; readonly total: number };
  readonly envStepsPerSec: number;
}

type Method = (...args: never[]) => unknown;

/** Replaces `owner[name]` with a timed copy that hands each call's milliseconds to `add`; returns the undo. */
function time(owner: object, name: string, add: (ms: number) => void): () => void {
  const o = owner as Record<string, Method>;
  const original = o[name];
  o[name] = function (this: unknown, ...args: never[]) {
    const t = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      add(performance.now() - t);
    }
  } as Method;
  return () => {
    o[name] = original;
  };
}

/**
 * Trains `envName` for `steps` env steps as the CLI does and splits the wall
 * time into phases.
 * @example
 * ```ts
 * const p = await cliPhases('carrot-heist', { steps: 10_000 });
 * console.log(p.secondsPer10k.acting / p.secondsPer10k.total); // acting's share
 * ```
 */
export async function cliPhases(envName: string, opts: { steps?: number; seed?: number; tfjsActing?: boolean; threads?: 1 | 2 } = {}): Promise<CliPhases> {
  const { steps = 10_000, seed = 0 } = opts;
  useTfjsActing(opts.tfjsActing === true);
  const threads = await useKernelThreads(opts.threads ?? 1, undefined, { keep: true });
  const ms = { env: 0, acting: 0, updates: 0, collation: 0, tests: 0 };
  let inTests = false;
  const into = (key: 'env' | 'acting') => (t: number) => {
    if (!inTests) ms[key] += t;
  };
  const probe = makeEnv(envName);
  const envProto = Object.getPrototypeOf(probe) as object;
  // The acting policy's class: whatever the trainer acts through.
  const scratch = new Trainer(makeEnv(envName), { seed });
  const actorProto = Object.getPrototypeOf(scratch.policy) as object;
  const actor = actorProto.constructor.name;
  scratch.dispose();
  const undo = [
    time(envProto, 'step', into('env')),
    time(envProto, 'reset', into('env')),
    time(actorProto, 'qValues', into('acting')),
    time(EpisodeBuffer.prototype, 'sample', (t) => (ms.collation += t)),
    time(QLearner.prototype, 'update', (t) => (ms.updates += t)),
  ];
  const evaluateOn = Trainer.prototype.evaluateOn;
  Trainer.prototype.evaluateOn = function (this: Trainer, ...args: Parameters<Trainer['evaluateOn']>) {
    const t = performance.now();
    inTests = true;
    try {
      return evaluateOn.apply(this, args);
    } finally {
      inTests = false;
      ms.tests += performance.now() - t;
    }
  };
  try {
    const t0 = performance.now();
    const result = await train({ env: envName, steps, seed, logEvery: 10_000 });
    const total = performance.now() - t0;
    const per10k = (x: number) => Math.round((x / 1000) * (10_000 / result.metrics.envSteps) * 1000) / 1000;
    const updates = result.trainer.learner.updates;
    const envSteps = result.metrics.envSteps;
    result.trainer.dispose();
    const rest = total - ms.env - ms.acting - ms.updates - ms.collation - ms.tests;
    return {
      env: envName,
      steps: envSteps,
      updates,
      actor,
      threads,
      secondsPer10k: { env: per10k(ms.env), acting: per10k(ms.acting), updates: per10k(ms.updates), collation: per10k(ms.collation), tests: per10k(ms.tests), rest: per10k(rest), total: per10k(total) },
      envStepsPerSec: Math.round((envSteps / total) * 1000 * 10) / 10,
    };
  } finally {
    useTfjsActing(false);
    await useKernelThreads(1, undefined, { keep: true });
    Trainer.prototype.evaluateOn = evaluateOn;
    for (const u of undo) u();
  }
}

/**
 * The key: per env, the phases as before issue 20 (acting through tfjs,
 * updates on one thread: `before`) and now (acting through the kernel,
 * updates on two threads: `after`), runs alternating, `rounds` of each; the
 * medians of each phase. Both use the kernels' default build.
 */
export async function cliPhasesBench(opts: { envs?: readonly string[]; steps?: number; rounds?: number } = {}): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const env of opts.envs ?? ['carrot-heist', 'lbf:8x8-2p-2f-coop']) {
    const runs: { before: CliPhases[]; after: CliPhases[] } = { before: [], after: [] };
    for (let r = 0; r < (opts.rounds ?? 2); r++) {
      runs.before.push(await cliPhases(env, { steps: opts.steps, tfjsActing: true, threads: 1 }));
      runs.after.push(await cliPhases(env, { steps: opts.steps, threads: 2 }));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const summary = (rs: CliPhases[]) => ({
      actor: rs[0].actor,
      threads: rs[0].threads,
      updates: rs[0].updates,
      secondsPer10k: Object.fromEntries(Object.keys(rs[0].secondsPer10k).map((k) => [k, median(rs.map((p) => p.secondsPer10k[k as keyof CliPhases['secondsPer10k']]))])),
      envStepsPerSec: median(rs.map((p) => p.envStepsPerSec)),
    });
    const before = summary(runs.before);
    const after = summary(runs.after);
    out[env] = { steps: runs.after[0].steps, before, after, envStepsRatio: Math.round((after.envStepsPerSec / before.envStepsPerSec) * 1000) / 1000 };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { useBackend } = await import('../../plugin/learn/backend.js');
  await useBackend('wasm');
  const envs = process.argv[2] ? [process.argv[2]] : undefined;
  console.log(JSON.stringify(await cliPhasesBench({ envs, steps: Number(process.argv[3] ?? 10_000), rounds: Number(process.argv[4] ?? 1) }), null, 2));
  process.exit(0);
}
