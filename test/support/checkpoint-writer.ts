// Child process for the crash tests: saves checkpoints (~24 MB unless argv[3]
// gives another float count) in a loop, each filled with its own marker
// value (argv[4] adds an offset, so two writers' markers differ), and prints
// "saved N" after each, or "refused N <message>" when the directory is locked.
import { packCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, validateConfig } from '../../plugin/core/index.js';
import { saveCheckpointDir } from '../../plugin/node/index.js';

const dir = process.argv[2];
const floats = Number(process.argv[3] ?? 6_000_000);
const offset = Number(process.argv[4] ?? 0);
for (let i = 1; ; i++) {
  const n = offset + i;
  const blob = new Float32Array(floats).fill(n);
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
  try {
    await saveCheckpointDir(dir, packed);
    process.stdout.write(`saved ${n}\n`);
  } catch (e) {
    process.stdout.write(`refused ${n} ${(e as Error).message}\n`);
  }
}
