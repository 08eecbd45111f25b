/**
 * `phaser-qmix/worker-host`: the training side of a worker (tfjs): the host
 * and an in-process worker. The browser worker script is `worker-entry`.
 */
export { TrainerHost, type HostDeps } from './host.js';
export { createInProcessWorker } from './in-process.js';
export { decideBackend, MemoryChoiceStore, softwareRenderer, type BackendChoiceStore, type BackendDecision, type RememberedChoice } from './backend-choice.js';
export { IdbChoiceStore, probeWebglRenderer } from './backend-probe.js';
export { watchWebglContext, webglContext } from './webgl-context.js';
