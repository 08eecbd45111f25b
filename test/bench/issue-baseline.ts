// Bench key `issueBaseline` (issue 20's targets): this checkout against the
// code the issue was filed against (commit df97387, "today's" in its text),
// on the same machine in one run, each measurement in a child Node, the arms
// alternating. Same settings on both sides: the `pymarl` preset, which both
// trees have (the baseline's default was an earlier `game` preset).
//   - update: the reference GRU and MLP updates; the baseline on one thread
//     (it had no other), this checkout on one and on two. Targets: two
//     threads at most 0.5x (GRU) and 0.6x (MLP) the baseline's median.
//   - cli: env steps per second of a Carrot Heist training run (as the CLI
//     trains; this checkout on two threads, its default). Target: at least
//     2x the baseline's, with the same number of updates.
//   - twoCores: a product's speed on two threads at once against one alone,
//     before and after the update arms (two-cores.ts): where `slowerThread`
//     is well under 1, the machine gave this run's two-thread arms less than
//     two cores.
// The baseline tree is extracted with `git archive` (it needs the git
// history; a shallow clone without it reports the key as skipped).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { twoCores } from './two-cores.js';

/** The commit issue 20 was filed against (the parent of its first commit, cca6536). */
export const ISSUE_20_BASE = 'df97387777f33d89b16075fbca9948fd30eb17dc';

const here = resolve(import.meta.dirname, '../..');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Extracts the baseline tree (once) and links this checkout's node_modules into it. */
function baselineTree(): string {
  const dir = join(tmpdir(), `phaser-qmix-base-${ISSUE_20_BASE.slice(0, 7)}`);
  if (!existsSync(join(dir, 'package.json'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['-C', here, 'archive', ISSUE_20_BASE], { maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
  }
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(here, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** {@link twoCores} in a child Node of its own, between the arms. */
function coresNow(): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'test/bench/two-cores.ts'), '400', '3'], { cwd: here, encoding: 'utf8' });
  if (r.status !== 0) return { failed: r.stderr.slice(-300) };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

function child(root: string, args: string[]): Record<string, number> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'test/bench/issue-baseline-child.ts'), root, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PHASER_QMIX_KERNEL: '' } });
  if (r.status !== 0) throw new Error(`${args.join(' ')} in ${root}: ${r.stderr.slice(-800)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

/**
 * The key. `blocks` alternating blocks of `perBlock` updates per arm, and
 * `cliRounds` alternating Carrot Heist runs of `cliSteps` env steps.
 * @example
 * ```ts
 * const key = issueBaselineBench({ blocks: 3, perBlock: 10, cliRounds: 2, cliSteps: 10_000 });
 * ```
 */
export function issueBaselineBench(opts: { blocks?: number; perBlock?: number; cliRounds?: number; cliSteps?: number } = {}): Record<string, unknown> {
  const { blocks = 3, perBlock = 10, cliRounds = 2, cliSteps = 10_000 } = opts;
  let base: string;
  try {
    base = baselineTree();
  } catch (e) {
    return { skipped: `the baseline commit ${ISSUE_20_BASE.slice(0, 7)} is not in this clone's history: ${(e as Error).message.slice(0, 200)}` };
  }
  const out: Record<string, unknown> = { baseline: ISSUE_20_BASE.slice(0, 7), settings: 'pymarl preset on both sides' };
  const update: Record<string, unknown> = {};
  // How fast two cores ran at once against one alone, before and after the update arms: the two-thread arms depend on it, the one-thread arms do not.
  const cores = [coresNow()];
  for (const agent of ['gru', 'mlp'] as const) {
    const arms = { baseline1: [] as number[], now1: [] as number[], now2: [] as number[] };
    let kernels: Record<string, unknown> = {};
    for (let b = 0; b < blocks; b++) {
      const r0 = child(base, ['update', agent, '1', String(perBlock)]);
      const r1 = child(here, ['update', agent, '1', String(perBlock)]);
      const r2 = child(here, ['update', agent, '2', String(perBlock)]);
      arms.baseline1.push(r0.medianMs);
      arms.now1.push(r1.medianMs);
      arms.now2.push(r2.medianMs);
      kernels = { baseline: r0.kernel, now: r1.kernel };
    }
    const [b1, n1, n2] = [median(arms.baseline1), median(arms.now1), median(arms.now2)];
    const target = agent === 'gru' ? 0.5 : 0.6;
    update[agent] = {
      kernels, baselineOneThreadMs: b1, nowOneThreadMs: n1, nowTwoThreadsMs: n2,
      blocks: arms, ratioTwoThreadsToBaseline: +(n2 / b1).toFixed(3), ratioOneThreadToBaseline: +(n1 / b1).toFixed(3), target, met: n2 / b1 <= target,
    };
  }
  cores.push(coresNow());
  out.update = update;
  out.twoCores = cores;
  if (cliRounds > 0) {
    const runs = { baseline: [] as Record<string, number>[], now: [] as Record<string, number>[] };
    for (let r = 0; r < cliRounds; r++) {
      runs.baseline.push(child(base, ['cli', 'carrot-heist', '1', String(cliSteps)]));
      runs.now.push(child(here, ['cli', 'carrot-heist', '2', String(cliSteps)]));
    }
    const b = median(runs.baseline.map((x) => x.envStepsPerSec));
    const n = median(runs.now.map((x) => x.envStepsPerSec));
    out.cliCarrotHeist = { steps: cliSteps, baseline: runs.baseline, now: runs.now, baselineEnvStepsPerSec: b, nowEnvStepsPerSec: n, ratio: +(n / b).toFixed(3), target: 2, met: n / b >= 2 };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [blocks, perBlock, cliRounds, cliSteps] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(issueBaselineBench({ blocks: blocks || undefined, perBlock: perBlock || undefined, cliRounds: Number.isNaN(cliRounds) ? undefined : cliRounds, cliSteps: cliSteps || undefined }), null, 2));
}
