/**
 * `phaser-qmix/worker`: the main-thread side of background training (no
 * tfjs): the WorkerTrainer client, the message protocol, IndexedDB checkpoints.
 * The training side is `phaser-qmix/worker-host`.
 */
export { IdbCheckpointStore, type SavedCheckpointInfo } from './checkpoint-idb.js';
export { WorkerTrainer, WorkerTrainerEvents, type WorkerLike, type WorkerTrainerOptions, type WorkerFaultEvent } from './client.js';
export { parseFromWorker, parseToWorker, ProtocolError, episodeTransferables, type FromWorker, type ToWorker, type HostOptions, type RulesOptions, type WorkerMetrics, type WorkerTest, type WorkerBackend } from './protocol.js';
export type { FrameClock } from './frame-pacing.js';
export { RatioPacer, type PacingOptions, type PacingState } from '../train/pacing.js';
