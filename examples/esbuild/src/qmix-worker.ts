// The training worker: a file of the game's own that imports the package's
// worker entry, bundled by build.mjs as its own script.
import 'phaser-qmix/worker-entry';
