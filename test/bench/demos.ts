// Bench key `demos` (issue 19): env steps to the solved level with 20
// demonstration episodes from a scripted player against none, 5 seeds, on
// Carrot Heist and two-step, under the default preset (`game`) and the
// default demonstration share (0.25, TD loss alone). Each seed is one suite
// cell (test/bench/presets.ts): greedy tests every twentieth of the budget,
// stopped at the first that reaches the task's score. The demonstrations are
// recorded on env seeds apart from training and testing.
//   node --import tsx test/bench/demos.ts --out runs/demos.jsonl [--tasks two-step,carrot-heist] [--seeds 0-4]
//   node --import tsx test/bench/demos.ts --table runs/demos.jsonl
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { EpisodeBuilder, type EpisodeRecord } from '../../plugin/core/episode.js';
import { makeEnv } from '../../plugin/envs/registry.js';
import { scriptedPlayer } from '../../demo-game/rules/evaluate.js';
import { runCell, SUITE_TASKS, type SuiteCell } from './presets.js';

/** Demonstration episodes per task, and the env seeds they are recorded on (far from training's and testing's). */
export const DEMO_EPISODES = 20;
const DEMO_SEED_BASE = 900_000_000;

/** The scripted players: the demo's chasing gardeners; two-step's optimal play (agent 0 picks state 2B, then both take 1). */
const PLAYERS: Record<string, () => (agent: number, obs: Float32Array, avail: Uint8Array, t: number) => number> = {
  'carrot-heist': () => {
    const p = scriptedPlayer(7);
    return (agent, obs, avail) => p.act(agent, obs, avail);
  },
  'two-step': () => (agent, _obs, _avail, t) => (t === 0 ? (agent === 0 ? 1 : 0) : 1),
};

/** Records `count` episodes of `envName` played by its scripted player. */
export function recordScripted(envName: string, count = DEMO_EPISODES): EpisodeRecord[] {
  const env = makeEnv(envName);
  const { nAgents: n, obsSize: O, nActions: A, episodeLimit } = env.spec;
  const play = PLAYERS[envName]();
  return Array.from({ length: count }, (_, i) => {
    const b = new EpisodeBuilder(env.spec);
    let o = env.reset(DEMO_SEED_BASE + i);
    b.begin(o);
    for (let t = 0; ; t++) {
      const actions = Array.from({ length: n }, (_, a) => play(a, o.obs.subarray(a * O, (a + 1) * O), o.avail.subarray(a * A, (a + 1) * A), t));
      const s = env.step(actions);
      b.push(actions, s);
      if (s.terminated || s.truncated || b.length >= episodeLimit) break;
      o = s;
    }
    return b.finish();
  });
}

export interface DemosCell extends SuiteCell {
  readonly arm: 'none' | 'demos';
}

/** The key: per task and arm, seeds solved and the median env steps to solve. */
export function demosTable(cells: readonly DemosCell[]): Record<string, unknown> {
  const rows: Record<string, unknown>[] = [];
  for (const task of [...new Set(cells.map((c) => c.task))]) {
    for (const arm of ['none', 'demos'] as const) {
      const cs = cells.filter((c) => c.task === task && c.arm === arm);
      if (cs.length === 0) continue;
      const solved = cs.filter((c) => c.solved).map((c) => c.stepsToSolve!).sort((a, b) => a - b);
      rows.push({
        task,
        arm,
        demonstrations: arm === 'demos' ? DEMO_EPISODES : 0,
        seeds: cs.length,
        seedsSolved: solved.length,
        medianStepsToSolve: solved.length ? solved[solved.length >> 1] : null,
        stepsToSolve: cs.sort((a, b) => a.seed - b.seed).map((c) => c.stepsToSolve),
        bestScores: cs.map((c) => Math.round(c.bestScore * 100) / 100),
      });
    }
  }
  return { preset: 'game', share: 0.25, demoLossWeight: 0, rows };
}

/** Runs the cells in this process (`quick`: two-step, seed 0, both arms) and returns the key. */
export async function demosBench(opts: { quick?: boolean } = {}): Promise<Record<string, unknown>> {
  const cells: DemosCell[] = [];
  for (const name of opts.quick ? ['two-step'] : ['two-step', 'carrot-heist']) {
    const task = SUITE_TASKS.find((t) => t.name === name)!;
    const demos = recordScripted(task.env);
    for (let seed = 0; seed < (opts.quick ? 1 : 5); seed++) {
      for (const arm of ['none', 'demos'] as const) cells.push({ ...(await runCell(task, 'game', 'qmix', seed, arm === 'demos' ? { demonstrations: { episodes: demos } } : {})), arm });
    }
  }
  return demosTable(cells);
}

/** The key from cells recorded by the command line below. */
export function demosFromCells(file: string): Record<string, unknown> {
  return demosTable(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as DemosCell));
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === '--table') {
  console.log(JSON.stringify(demosFromCells(process.argv[3]), null, 2));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const args = new Map<string, string>();
  for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
  const out = args.get('out') ?? 'runs/demos.jsonl';
  const tasks = (args.get('tasks') ?? 'two-step,carrot-heist').split(',');
  const [s0, s1] = (args.get('seeds') ?? '0-4').split('-').map(Number);
  const done = new Set(existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => { const c = JSON.parse(l) as DemosCell; return `${c.task}/${c.arm}/${c.seed}`; }) : []);
  const { useBackend } = await import('../../plugin/learn/backend.js');
  await useBackend('wasm');
  for (const name of tasks) {
    const task = SUITE_TASKS.find((t) => t.name === name);
    if (!task) throw new Error(`unknown task ${name}`);
    const demos = recordScripted(task.env);
    for (let seed = s0; seed <= (s1 ?? s0); seed++) {
      for (const arm of ['none', 'demos'] as const) {
        if (done.has(`${name}/${arm}/${seed}`)) continue;
        const cell = await runCell(task, 'game', 'qmix', seed, arm === 'demos' ? { demonstrations: { episodes: demos } } : {});
        appendFileSync(out, `${JSON.stringify({ ...cell, arm })}\n`);
        console.log(`${name} ${arm} seed ${seed}: ${cell.solved ? `solved at ${cell.stepsToSolve}` : `not solved (best ${cell.bestScore.toFixed(2)})`} in ${cell.seconds.toFixed(0)} s`);
      }
    }
  }
}
