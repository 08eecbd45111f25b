/**
 * The editor page's training worker: phaser-qmix's worker script plus the
 * game's rules registered as an env (`carrot-heist`), so the worker can
 * train on env copies it steps itself (rules mode) at headless speed.
 * A game of your own does the same: import its env module, then the entry.
 */
import './rules/env.js';
import '../plugin/worker/worker-entry.js';
