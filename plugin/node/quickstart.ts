/**
 * `npm start` for now: trains QMIX and VDN on the QMIX paper's two-step game
 * in Node (wasm backend) and prints what each learned. It shows the whole
 * learner working end to end in about 15 seconds; the demo game and
 * editor replace it as the main command once they exist.
 */
import type { MixerKind } from '../core/index.js';
import { TWO_STEP_UNIFORM_CONFIG, TwoStepEnv, twoStepQTotTable } from '../envs/index.js';
import { Trainer, useBackend } from '../learn/index.js';

await useBackend('wasm');

console.log('Two-step game (QMIX paper, sec. 6.1): the best joint plan pays 8; VDN can only reach 7.\n');
for (const mixer of ['qmix', 'vdn'] as MixerKind[]) {
  const t0 = performance.now();
  const trainer = new Trainer(new TwoStepEnv(), { ...TWO_STEP_UNIFORM_CONFIG, mixer });
  for (let i = 1; i <= 1500; i++) {
    const r = trainer.trainEpisode();
    if (i % 500 === 0) console.log(`${mixer} episode ${i}: loss ${r.update?.loss.toFixed(4)}`);
  }
  const q = twoStepQTotTable(trainer.learner, 1).map((row) => `[${row.map((v) => v.toFixed(2)).join(', ')}]`);
  console.log(`${mixer}: greedy return ${trainer.evaluate(1).meanReturn}; Q_tot(2B) = [${q.join(', ')}] in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  trainer.dispose();
}
