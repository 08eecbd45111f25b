// One measurement for test/bench/issue-baseline.ts, run in a child Node
// against the source tree given as the first argument: this checkout, or the
// commit issue 20 was filed against. It imports that tree's modules by path,
// so both trees run the same script. Prints one JSON line.
//
//   node --import tsx test/bench/issue-baseline-child.ts ROOT update gru 1 10
//   node --import tsx test/bench/issue-baseline-child.ts ROOT cli carrot-heist 2 10000
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

const [root, what, name, threadsArg, countArg] = process.argv.slice(2);
const threads = Number(threadsArg);
const load = (path: string) => import(pathToFileURL(join(root, path)).href);
// The same settings in both trees: the pymarl preset (the baseline has it too; its default was an earlier `game`).
const config = { preset: 'pymarl' };
const now = existsSync(join(root, 'plugin/node/kernel-threads.ts'));

await (await load('plugin/learn/backend.ts')).useBackend('wasm');
if (now) await (await load('plugin/node/kernel-threads.ts')).useKernelThreads(threads);
else if (threads !== 1) throw new Error('the baseline tree has one thread only');
const { kernelVariant } = await load('plugin/learn/wasm-kernel.ts');

if (what === 'update') {
  // The timing loop of plugin/node/update-timing.ts, here so that both trees run it with the same settings.
  const { EpisodeBuffer, Rng, syntheticEpisodes } = await load('plugin/core/index.ts');
  const { QLearner } = await load('plugin/learn/learner.ts');
  const { REFERENCE, REFERENCE_CONFIG, median } = await load('plugin/node/update-timing.ts');
  const learner = new QLearner(REFERENCE, { ...config, ...REFERENCE_CONFIG, agent: name });
  // The whole update, target pass included (this checkout reuses it across updates, which 32 of 64 episodes would nearly always allow).
  learner.setTargetReuseBytes?.(0);
  const buffer = new EpisodeBuffer(REFERENCE, 64);
  // Full-length (50-step, time-limited) episodes, so a batch is exactly 32 x 50 after trimming.
  for (const ep of syntheticEpisodes(REFERENCE, 64, REFERENCE.episodeLimit, 1)) buffer.insert(ep);
  const rng = new Rng(2);
  let updates = 0;
  const update = () => {
    const batch = buffer.sample(32, rng);
    const t0 = performance.now();
    learner.update(batch, ++updates);
    return performance.now() - t0;
  };
  // A fresh process (and helper thread) runs its first updates at a fraction of its speed (JIT, tier-up, memory growth):
  // warm up for 3 s first, as a training run would have by its tenth second.
  for (const t0 = performance.now(); performance.now() - t0 < 3000; ) update();
  const times = Array.from({ length: Number(countArg) }, update);
  learner.dispose();
  console.log(JSON.stringify({ kernel: kernelVariant(), threads, medianMs: +median(times).toFixed(2), minMs: +Math.min(...times).toFixed(2), repeats: times.length, warmUpdates: updates - times.length }));
} else if (what === 'cli') {
  const { train } = await load('plugin/learn/train.ts');
  await load('demo-game/rules/env.ts'); // registers carrot-heist, as the CLI does
  const steps = Number(countArg);
  const t0 = performance.now();
  const result = await train({ env: name, steps, seed: 0, logEvery: steps, config });
  const seconds = (performance.now() - t0) / 1000;
  const reuse = result.trainer.learner.targetReuse as { hits: number; misses: number } | undefined;
  const out = {
    kernel: kernelVariant(), threads, envSteps: result.metrics.envSteps, updates: result.trainer.learner.updates, seconds: +seconds.toFixed(2), envStepsPerSec: +(result.metrics.envSteps / seconds).toFixed(1),
    // The share of episodes whose target utilities were reused (this checkout only).
    ...(reuse ? { targetReused: +(reuse.hits / Math.max(1, reuse.hits + reuse.misses)).toFixed(3) } : {}),
  };
  result.trainer.dispose();
  console.log(JSON.stringify(out));
} else {
  throw new Error(`usage: ROOT update gru|mlp THREADS COUNT | ROOT cli ENV THREADS STEPS (got ${what})`);
}
process.exit(0);
