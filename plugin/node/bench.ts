/**
 * The Node benchmark (`npm run bench`, `phaser-qmix bench --json`): learner
 * update time on the reference shapes per backend, acting and greedy
 * decision times, and env steps per second of every registered env.
 * Medians of one run: compare figures only within one output.
 */
import os from 'node:os';
import * as tf from '../learn/tf.js';
import { GREEDY, Rng, runEpisode, selectActions, type EnvSpec, type QmixConfig, type QPolicy } from '../core/index.js';
import { listEnvs, makeEnv } from '../envs/registry.js';
import { TWO_STEP_UNIFORM_CONFIG } from '../envs/two-step.js';
import { train } from '../learn/train.js';
import { useBackend, type BackendName } from '../learn/backend.js';
import { TfjsActor } from '../learn/actor.js';
import { useKernelThreads } from './kernel-threads.js';
import { QLearner } from '../learn/learner.js';
import { median, REFERENCE, REFERENCE_CONFIG, timeUpdates, type UpdateTiming } from './update-timing.js';
import { exportPolicy } from '../learn/policy-export.js';
import { loadPolicy } from '../runtime/greedy-policy.js';

/**
 * Learner updates on the reference shape: fused kernels and the plain tfjs
 * path, alternating in blocks of five so that both see the same machine load.
 * @example
 * ```ts
 * const [fused, plain] = await benchUpdates('wasm', 'gru', 20, ['fused', 'plain']);
 * ```
 */
export async function benchUpdates(backend: BackendName, agent: 'gru' | 'mlp', repeats: number, paths: ('fused' | 'plain')[], threads: readonly (1 | 2)[] = [1]): Promise<UpdateTiming[]> {
  await useBackend(backend);
  // Fused runs once per thread count; the plain tfjs path runs on one thread.
  const arms = paths.flatMap((path) => (path === 'fused' && backend === 'wasm' ? threads : [1 as const]).map((t) => ({ path, threads: t, key: `${path}/${t}` })));
  const runs = new Map<string, UpdateTiming[]>(arms.map((a) => [a.key, []]));
  if (arms.some((a) => a.threads === 2)) {
    // A new helper thread compiles its own WebAssembly and runs it unoptimised
    // at first (a quick run's only two-thread block measured 31.9 ms against
    // 32.6 on one thread, with its fastest update at 20): 2 s of updates first,
    // untimed, as a training run has had by its second second.
    await useKernelThreads(2, undefined, { keep: true });
    for (const t0 = performance.now(); performance.now() - t0 < 2000; ) timeUpdates(agent, 'fused', 3);
  }
  for (let done = 0; done < repeats; done += 5) {
    for (const arm of arms) {
      // The helper stays warm between blocks: a new thread's WebAssembly starts unoptimised.
      await useKernelThreads(arm.threads, undefined, { keep: true });
      runs.get(arm.key)!.push(timeUpdates(agent, arm.path, Math.min(5, repeats - done)));
    }
  }
  await useKernelThreads(1);
  return arms.map(({ key }) => {
    const parts = runs.get(key)!;
    // Medians of the blocks' medians: each block is one learner, warmed up.
    return { ...parts[0], medianMs: +median(parts.map((p) => p.medianMs)).toFixed(2), minMs: Math.min(...parts.map((p) => p.minMs)), repeats: parts.reduce((n, p) => n + p.repeats, 0) };
  });
}

/**
 * How the fused GRU update scales (issue 20, item 4): batch 32 against 128
 * (pymarl2's), and 3 agents against 8, on one thread and two, blocks
 * alternating. `perRow` is each time over the reference time, divided by the
 * rows' ratio: 1 is linear, above 1 worse than linear.
 * @example
 * ```ts
 * const shapes = await benchShapes(5); // { rows: [...], scaling: { batch128: { threads1: 1.02, ... } } }
 * ```
 */
export async function benchShapes(repeats: number): Promise<Record<string, unknown>> {
  await useBackend('wasm');
  const shapes = [{ name: 'reference', batchSize: 32, nAgents: 3 }, { name: 'batch128', batchSize: 128, nAgents: 3 }, { name: 'agents8', batchSize: 32, nAgents: 8 }];
  const times = new Map<string, number[]>();
  for (let done = 0; done < repeats; done += 5) {
    for (const s of shapes) {
      for (const t of [1, 2] as const) {
        await useKernelThreads(t, undefined, { keep: true });
        const key = `${s.name}/${t}`;
        times.set(key, [...(times.get(key) ?? []), timeUpdates('gru', 'fused', Math.min(5, repeats - done), s).medianMs]);
      }
    }
  }
  await useKernelThreads(1);
  const ms = (name: string, t: 1 | 2) => +median(times.get(`${name}/${t}`)!).toFixed(2);
  const rows = shapes.flatMap((s) => ([1, 2] as const).map((t) => ({ shape: s.name, batch: s.batchSize, nAgents: s.nAgents, threads: t, medianMs: ms(s.name, t) })));
  const scaling: Record<string, unknown> = {};
  for (const s of shapes.slice(1)) {
    const rowsRatio = (s.batchSize * s.nAgents) / (32 * 3);
    scaling[s.name] = Object.fromEntries(([1, 2] as const).map((t) => [`threads${t}`, +(ms(s.name, t) / ms('reference', t) / rowsRatio).toFixed(3)]));
  }
  return { rows, perRow: scaling };
}

/**
 * Fused against plain on wasm, with the goals (GRU 50 ms, MLP 20 ms).
 * @example
 * ```ts
 * speedups(update).gru; // { fusedMs, plainMs, ratio, goalMs: 50, met }; .threads.gru: two threads against one
 * ```
 */
export function speedups(update: UpdateTiming[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const threads: Record<string, unknown> = {};
  for (const agent of ['gru', 'mlp'] as const) {
    const fused = update.find((u) => u.backend === 'wasm' && u.agent === agent && u.path === 'fused' && u.threads === 1);
    const plain = update.find((u) => u.backend === 'wasm' && u.agent === agent && u.path === 'plain');
    const two = update.find((u) => u.backend === 'wasm' && u.agent === agent && u.path === 'fused' && u.threads === 2);
    if (fused && two) threads[agent] = { oneThreadMs: fused.medianMs, twoThreadsMs: two.medianMs, ratio: +(two.medianMs / fused.medianMs).toFixed(3) };
    if (!fused || !plain) continue;
    const goalMs = agent === 'gru' ? 50 : 20;
    out[agent] = { fusedMs: fused.medianMs, plainMs: plain.medianMs, ratio: +(plain.medianMs / fused.medianMs).toFixed(2), goalMs, met: fused.medianMs <= goalMs };
  }
  if (Object.keys(threads).length > 0) out.threads = threads;
  return out;
}

async function benchActing(backend: BackendName, repeats: number) {
  await useBackend(backend);
  const learner = new QLearner(REFERENCE, REFERENCE_CONFIG);
  const actor = new TfjsActor(learner);
  const obs = Float32Array.from({ length: REFERENCE.nAgents * REFERENCE.obsSize }, (_, i) => Math.sin(i));
  const avail = new Uint8Array(REFERENCE.nAgents * REFERENCE.nActions).fill(1);
  const q = new Float32Array(REFERENCE.nAgents * REFERENCE.nActions);
  const actions = new Int32Array(REFERENCE.nAgents);
  const times: number[] = [];
  actor.resetEpisode();
  for (let i = 0; i < repeats + 20; i++) {
    const t0 = performance.now();
    actor.qValues(obs, i === 0 ? null : actions, q);
    selectActions(q, avail, REFERENCE.nAgents, REFERENCE.nActions, GREEDY, null, actions);
    if (i >= 20) times.push(performance.now() - t0);
  }
  actor.dispose();
  learner.dispose();
  return { backend, agents: REFERENCE.nAgents, agent: 'gru', medianMs: +median(times).toFixed(4), repeats: times.length };
}

/** One greedy decision of a whole squad with the tfjs-free runtime (each agent acts on its own observation). */
async function benchRuntime(nAgents: number, repeats: number) {
  await useBackend('wasm');
  const spec: EnvSpec = { ...REFERENCE, nAgents };
  const learner = new QLearner(spec, REFERENCE_CONFIG);
  const policy = loadPolicy(exportPolicy(learner));
  learner.dispose();
  const rng = new Rng(3);
  const obs = Array.from({ length: nAgents }, () => Float32Array.from({ length: spec.obsSize }, () => rng.uniform(-1, 1)));
  const mask = new Uint8Array(spec.nActions).fill(1);
  const decide = () => {
    for (let a = 0; a < nAgents; a++) policy.act(a, obs[a], mask);
  };
  policy.resetEpisode();
  for (let i = 0; i < 2000; i++) decide(); // JIT warm-up
  // Time batches of 100 squad decisions (a single one is below the timer's resolution).
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    for (let k = 0; k < 100; k++) decide();
    times.push((performance.now() - t0) / 100);
  }
  return { runtime: 'phaser-qmix/runtime (no tfjs)', agents: nAgents, agent: 'gru', medianMsPerSquadDecision: +median(times).toFixed(4), repeats: times.length };
}


/** Env steps per second of random play in each registered env (about 0.5 s each). */
function benchEnvs(): { env: string; stepsPerSec: number }[] {
  const random: QPolicy = { resetEpisode() {}, qValues: (_o, _l, out) => out.fill(0) };
  const rng = new Rng(9);
  return listEnvs().map(({ name }) => {
    const env = makeEnv(name);
    let steps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 500) steps += runEpisode(env, random, { mode: { kind: 'epsilon-greedy', epsilon: 1 }, rng }).steps;
    return { env: name, stepsPerSec: Math.round((steps * 1000) / (performance.now() - t0)) };
  });
}

/**
 * Greedy test return reached after a fixed budget of env steps, per
 * algorithm, seeded: how far each learner gets for the same experience.
 */
async function benchReturns(quick: boolean): Promise<Record<string, unknown>[]> {
  const runs: { env: string; steps: number; config: Partial<QmixConfig> }[] = [
    { env: 'two-step', steps: quick ? 1000 : 3000, config: TWO_STEP_UNIFORM_CONFIG },
    { env: 'lbf:8x8-2p-2f-coop', steps: quick ? 5000 : 50000, config: { agent: 'gru', epsilonAnnealTime: quick ? 2500 : 25000, bufferSize: 1000, optimizer: 'adam', lr: 5e-4 } },
  ];
  const out: Record<string, unknown>[] = [];
  for (const r of runs) {
    for (const algo of ['qmix', 'vdn', 'iql'] as const) {
      const t0 = performance.now();
      const result = await train({ env: r.env, algo, steps: r.steps, seed: 1, config: r.config, testEpisodes: 50, logEvery: r.steps });
      out.push({ env: r.env, algo, steps: r.steps, seed: 1, testReturnMean: +result.metrics.testReturnMean.toFixed(3), ...(result.metrics.testWinRate !== undefined ? { testWinRate: result.metrics.testWinRate } : {}), seconds: +((performance.now() - t0) / 1000).toFixed(1) });
      result.trainer.dispose();
    }
  }
  return out;
}

/**
 * Runs the Node benchmark and returns one JSON-ready document.
 * @example
 * ```ts
 * console.log(JSON.stringify(await runBench({ quick: true })));
 * ```
 */
export async function runBench(opts: { quick?: boolean; cpu?: boolean; returns?: boolean } = {}): Promise<Record<string, unknown>> {
  const quick = opts.quick === true;
  // The plain tfjs path is the reference the fused kernels are measured against, in the same run.
  // One thread and two alternate, block by block (updates on two threads: a helper thread takes half the rows).
  const update = [...(await benchUpdates('wasm', 'gru', quick ? 5 : 20, ['fused', 'plain'], [1, 2])), ...(await benchUpdates('wasm', 'mlp', quick ? 5 : 20, ['fused', 'plain'], [1, 2]))];
  if (opts.cpu !== false) update.push(...(await benchUpdates('cpu', 'gru', quick ? 1 : 3, ['fused', 'plain'])), ...(await benchUpdates('cpu', 'mlp', quick ? 1 : 3, ['fused', 'plain'])));
  const acting = [await benchActing('wasm', quick ? 50 : 500)];
  const runtime = [await benchRuntime(3, quick ? 50 : 300), await benchRuntime(8, quick ? 50 : 300)];
  return {
    bench: 'phaser-qmix',
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, tfjs: tf.version_core, wasmFlags: { simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') } },
    shape: { ...REFERENCE, ...REFERENCE_CONFIG },
    reference: {
      note: 'measured on this machine kind (2 cores) per the issues: pymarl QLearner.train() (torch) GRU ~35 ms, MLP ~20 ms; plain tfjs wasm GRU ~320 ms, MLP ~110 ms; pymarl select_actions 0.13-0.25 ms; a hand-written Float32Array forward 0.04 ms for 3 agents',
    },
    update,
    speedup: speedups(update),
    updateShapes: await benchShapes(quick ? 5 : 10),
    acting,
    runtime,
    envs: benchEnvs(),
    returns: opts.returns === false ? 'skipped' : await benchReturns(quick),
  };
}
