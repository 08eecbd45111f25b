// The training worker: a file of the game's own that imports the package's
// worker entry. Vite bundles it as a worker in `vite build` and serves it
// (with its dependencies pre-bundled) under `vite` dev.
import 'phaser-qmix/worker-entry';
