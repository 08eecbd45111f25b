/** `phaser-qmix/node`: Node-only pieces (file system stores; the CLI arrives here). */
export { saveCheckpointDir, loadCheckpointDir, DirCheckpointStore } from './checkpoint-store.js';
export { createThreadWorker } from './thread-worker.js';
export { useKernelThreads, kernelThreads } from './kernel-threads.js';
export { main as cli } from './cli.js';
export { runBench } from './bench.js';
