/** `phaser-qmix/worker`: browser-side training pieces. */
export { IdbCheckpointStore, type SavedCheckpointInfo } from './checkpoint-idb.js';
