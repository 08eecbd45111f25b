/**
 * The script-tag build's entry (`dist/browser/phaser-qmix.js`, global
 * `PhaserQmix`): the scene plugin, the tfjs-free runtime, the worker client
 * and the core, for a page that loads Phaser from its own script tag. Training
 * runs in the prebuilt worker script beside it (`phaser-qmix-worker.js`, with
 * the WebAssembly files), so this script never loads tfjs.
 * @example
 * ```html
 * <script src="https://cdn.jsdelivr.net/npm/phaser@4/dist/phaser.min.js"></script>
 * <script src="https://cdn.jsdelivr.net/npm/phaser-qmix/dist/browser/phaser-qmix.js"></script>
 * <script>const { QmixPlugin, WorkerTrainer } = PhaserQmix;</script>
 * ```
 */
export * from '../phaser/index.js';
export * from '../runtime/index.js';
export { WorkerTrainer, WorkerTrainerEvents, ProtocolError, type WorkerTrainerOptions } from '../worker/index.js';
export { validateConfig, PRESETS, GREEDY, checkWasmPaths, WASM_FILES } from '../core/index.js';
