/**
 * Checkpoints of a training run: the learner's state, the loop's position
 * and RNG streams, config and spec, and optionally the replay buffer, in the
 * one serialisation every store uses (see core/checkpoint-format.ts).
 */
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointError, packCheckpoint, unpackCheckpoint, type BlobArray, type Checkpoint, type PackedCheckpoint } from '../core/checkpoint-format.js';
import { diffConfigs, validateConfig } from '../core/config.js';
import type { EnvSpec } from '../core/env.js';
import type { EpisodeBufferState } from '../core/replay.js';
import type { LearnerState, WeightMap } from './learner.js';
import type { EpisodeTrainer, TrainerLoopState } from './episode-trainer.js';

const WEIGHT_SETS = ['online.agent', 'online.mixer', 'target.agent', 'target.mixer'] as const;
const BUFFER_ARRAYS = ['obs', 'state', 'avail', 'actions', 'rewards', 'lengths', 'terminal'] as const;

/**
 * Packs a trainer's whole state.
 * @example
 * ```ts
 * const packed = makeCheckpoint(trainer, { includeBuffer: true });
 * ```
 */
export function makeCheckpoint(trainer: EpisodeTrainer, opts: { includeBuffer?: boolean } = {}): PackedCheckpoint {
  const learner = trainer.learner;
  const state = learner.getState();
  const blobs = new Map<string, BlobArray>();
  for (const set of WEIGHT_SETS) {
    const [which, net] = set.split('.') as ['online' | 'target', 'agent' | 'mixer'];
    for (const [name, data] of Object.entries(state[which][net])) blobs.set(`${set}/${name}`, data);
  }
  state.optimizer.slots.forEach((slot, i) => blobs.set(`optimizer/${i}`, slot));
  let buffer: EpisodeBufferState | null = null;
  if (opts.includeBuffer) {
    buffer = trainer.buffer.getState();
    for (const key of BUFFER_ARRAYS) blobs.set(`replay/${key}`, buffer.arrays[key]);
  }
  return packCheckpoint(
    {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      createdAt: new Date().toISOString(),
      config: learner.config,
      spec: learner.spec,
      learner: {
        updates: state.updates,
        lastTargetUpdateEpisode: state.lastTargetUpdateEpisode,
        rewardStats: state.rewardStats,
        optimizer: { kind: state.optimizer.kind, step: state.optimizer.step, slots: state.optimizer.slots.length },
      },
      trainer: trainer.getLoopState(),
      buffer: buffer && { capacity: buffer.capacity, next: buffer.next, count: buffer.count, inserted: buffer.inserted },
    },
    blobs,
  );
}

/**
 * Restores a checkpoint into a trainer built with the same config and env
 * spec. Everything is checked before anything is written.
 * @throws {@link CheckpointError} naming what differs or what is damaged.
 * @example
 * ```ts
 * const trainer = new Trainer(env, config);
 * restoreCheckpoint(trainer, await loadCheckpointDir('runs/guards/checkpoint'));
 * ```
 */
export function restoreCheckpoint(trainer: EpisodeTrainer, packed: PackedCheckpoint | Checkpoint): void {
  const cp = 'blobs' in packed && packed.blobs instanceof Map ? (packed as Checkpoint) : unpackCheckpoint(packed as PackedCheckpoint);
  const m = cp.manifest;
  const learner = trainer.learner;
  let theirs;
  try {
    theirs = validateConfig(m.config);
  } catch (e) {
    throw new CheckpointError(`checkpoint config is invalid: ${(e as Error).message}`);
  }
  const configDiff = diffConfigs(theirs, learner.config);
  if (configDiff.length > 0) throw new CheckpointError(`checkpoint was made with another config (checkpoint -> this trainer): ${configDiff.join('; ')}`);
  const specDiff = diffSpecs(m.spec, learner.spec);
  if (specDiff.length > 0) throw new CheckpointError(`checkpoint was made for another env spec (checkpoint -> this env): ${specDiff.join('; ')}`);

  const blob = <T extends BlobArray>(name: string, ctor: new (...args: never[]) => T): T => {
    const b = cp.blobs.get(name);
    if (!(b instanceof ctor)) throw new CheckpointError(`checkpoint is missing ${name}`);
    return b;
  };
  const slotCount = m.learner.optimizer.slots;
  if (!Number.isInteger(slotCount) || slotCount < 0 || slotCount > m.blobs.length) {
    throw new CheckpointError(`checkpoint learner.optimizer.slots is ${JSON.stringify(slotCount)}: expected an integer 0..${m.blobs.length} (the blobs it holds)`);
  }
  const weights = (set: string, names: readonly string[]): WeightMap => Object.fromEntries(names.map((n) => [n, blob(`${set}/${n}`, Float32Array).slice()]));
  const agentNames = learner.online.agent.specs.map((s) => s.name);
  const mixerNames = learner.online.mixer.specs.map((s) => s.name);
  const state: LearnerState = {
    updates: m.learner.updates,
    lastTargetUpdateEpisode: m.learner.lastTargetUpdateEpisode,
    rewardStats: m.learner.rewardStats,
    optimizer: {
      kind: m.learner.optimizer.kind,
      step: m.learner.optimizer.step,
      slots: Array.from({ length: slotCount }, (_, i) => blob(`optimizer/${i}`, Float32Array).slice()),
    },
    online: { agent: weights('online.agent', agentNames), mixer: weights('online.mixer', mixerNames) },
    target: { agent: weights('target.agent', agentNames), mixer: weights('target.mixer', mixerNames) },
  };
  const buffer: EpisodeBufferState | null = m.buffer && {
    ...m.buffer,
    arrays: {
      obs: blob('replay/obs', Float32Array),
      state: blob('replay/state', Float32Array),
      avail: blob('replay/avail', Uint8Array),
      actions: blob('replay/actions', Int32Array),
      rewards: blob('replay/rewards', Float32Array),
      lengths: blob('replay/lengths', Int32Array),
      terminal: blob('replay/terminal', Uint8Array),
    },
  };
  // Check every part against a scratch copy of the current state before writing any of it.
  const before = { learner: learner.getState(), loop: trainer.getLoopState() };
  try {
    learner.setState(state);
    trainer.setLoopState(m.trainer as TrainerLoopState);
    if (buffer) trainer.buffer.setState(buffer);
  } catch (e) {
    learner.setState(before.learner);
    trainer.setLoopState(before.loop);
    throw new CheckpointError(`checkpoint does not fit this trainer: ${(e as Error).message}`);
  }
}

function diffSpecs(a: EnvSpec, b: EnvSpec): string[] {
  const keys = ['nAgents', 'obsSize', 'stateSize', 'nActions', 'episodeLimit'] as const;
  return keys.filter((k) => a?.[k] !== b[k]).map((k) => `${k}: ${a?.[k]} -> ${b[k]}`);
}
