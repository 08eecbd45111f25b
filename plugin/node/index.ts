/** `phaser-qmix/node`: Node-only pieces (file system stores; the CLI arrives here). */
export { saveCheckpointDir, loadCheckpointDir } from './checkpoint-store.js';
