/** Pure TypeScript core: no tfjs, no Phaser. */
export { Rng } from './rng.js';
export {
  validateConfig,
  diffConfigs,
  DEFAULT_CONFIG,
  PRESETS,
  type PresetName,
  CONFIG_KEYS,
  type QmixConfig,
  type AgentKind,
  type MixerKind,
  type NonNegative,
  type OptimizerKind,
  type TargetUpdate,
  type ScheduleKind,
  type ExplorationKind,
} from './config.js';
export { ConfigError, EnvContractError } from './errors.js';
export {
  validateSpec,
  checkObservation,
  checkStep,
  type EnvSpec,
  type EnvObservation,
  type EnvStep,
  type MultiAgentEnv,
  type ObsFeature,
} from './env.js';
export { EpisodeBuilder, validateEpisode, type EpisodeRecord } from './episode.js';
export { EpisodeBuffer, collateEpisodes, type EpisodeBatch, type EpisodeBufferState } from './replay.js';
export { DEMO_FORMAT, DEMO_VERSION, DemoError, makeDemoFile, MAX_DEMO_EPISODES, parseDemoFile, type DemoEpisode, type DemoErrorKind, type DemoExpectation, type DemoFile } from './demo-file.js';
export { agentInputSize, writeStepInputs, buildBatchInputs, type AgentInputOptions } from './agent-inputs.js';
export { selectActions, argmaxAvailable, explorationValue, GREEDY, type ActionMode } from './explore.js';
export { runEpisode, type QPolicy, type ActingMemory, type EpisodeResult, type RunOptions } from './runner.js';
export { makeSchedule, makeExploration, type Schedule } from './schedules.js';
export { RunningMeanStd } from './running-stats.js';
export { agentParamSpecs, linearSpecs, type AgentNetShape, type ParamSpec, type WeightArrays } from './agent-arch.js';
export { encodeFloat32, decodeFloat32, encodeBytes, decodeBytes, canonicalJson, hash53 } from './encoding.js';
export {
  packCheckpoint,
  unpackCheckpoint,
  hashBytes,
  CheckpointError,
  MemoryCheckpointStore,
  type CheckpointStore,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type Checkpoint,
  type CheckpointManifest,
  type PackedCheckpoint,
  type BlobArray,
  type BlobEntry,
} from './checkpoint-format.js';
export type { SquadTrainer, TrainerUpdateInfo } from './trainer-handle.js';
export { syntheticEpisodes } from './synthetic.js';
export { macrotask } from './macrotask.js';
export { checkWasmPaths, WASM_FILES, type WasmPaths } from './wasm-paths.js';
