/**
 * `npm start` for now: trains QMIX and VDN on the QMIX paper's two-step game
 * in Node (wasm backend) and prints what each learned. It shows the whole
 * learner working end to end in about 15 seconds; the demo game and
 * editor replace it as the main command once they exist.
 */
import { collateEpisodes, EpisodeBuilder, type MixerKind } from '../core/index.js';
import { TwoStepEnv } from '../envs/index.js';
import { Trainer, useBackend } from '../learn/index.js';

await useBackend('wasm');

function qTot2B(trainer: Trainer): number[] {
  const env = new TwoStepEnv();
  const b = new EpisodeBuilder(env.spec);
  b.begin(env.reset());
  b.push([1, 0], env.step([1, 0]));
  b.push([1, 1], env.step([1, 1]));
  const batch = collateEpisodes(env.spec, [b.finish()]);
  const q = trainer.learner.qValues(batch);
  const [a0, a1, b0, b1] = [q[4], q[5], q[6], q[7]];
  const states = Float32Array.from([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  return Array.from(trainer.learner.mix(Float32Array.from([a0, b0, a0, b1, a1, b0, a1, b1]), states));
}

console.log('Two-step game (QMIX paper, sec. 6.1): the best joint plan pays 8; VDN can only reach 7.\n');
for (const mixer of ['qmix', 'vdn'] as MixerKind[]) {
  const t0 = performance.now();
  const trainer = new Trainer(new TwoStepEnv(), {
    mixer,
    agent: 'mlp',
    obsLastAction: false,
    mixingEmbedDim: 8,
    hypernetLayers: 1,
    epsilonStart: 1,
    epsilonFinish: 1,
    bufferSize: 500,
    targetUpdateInterval: 100,
  });
  for (let i = 1; i <= 1500; i++) {
    const r = trainer.trainEpisode();
    if (i % 500 === 0) console.log(`${mixer} episode ${i}: loss ${r.update?.loss.toFixed(4)}`);
  }
  const q = qTot2B(trainer).map((v) => v.toFixed(2));
  console.log(`${mixer}: greedy return ${trainer.evaluate(1).meanReturn}; Q_tot(2B) = [[${q[0]}, ${q[1]}], [${q[2]}, ${q[3]}]] in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  trainer.dispose();
}
