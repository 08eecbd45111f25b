// Child process for the crash test: saves checkpoints of ~24 MB in a loop,
// each filled with its own marker value, and prints "saved N" after each.
import { packCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, validateConfig } from '../../plugin/core/index.js';
import { saveCheckpointDir } from '../../plugin/node/index.js';

const dir = process.argv[2];
for (let n = 1; ; n++) {
  const blob = new Float32Array(6_000_000).fill(n);
  const packed = packCheckpoint(
    {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      createdAt: new Date().toISOString(),
      config: validateConfig(),
      spec: { nAgents: 1, obsSize: 1, stateSize: 1, nActions: 2, episodeLimit: 1 },
      learner: { updates: n, lastTargetUpdateEpisode: 0, rewardStats: { mean: 0, variance: 1, count: 0 }, optimizer: { kind: 'rmsprop', step: 0, slots: 0 } },
      trainer: { envSteps: n, episodes: n, rng: {} },
      buffer: null,
    },
    new Map([['marker', blob]]),
  );
  await saveCheckpointDir(dir, packed);
  process.stdout.write(`saved ${n}\n`);
}
