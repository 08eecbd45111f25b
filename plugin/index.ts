/**
 * phaser-qmix: cooperative NPC squads for Phaser 4 that learn with QMIX.
 *
 * This root entry gathers the pure core, the reference envs and the tfjs
 * learner. (The Phaser scene plugin and the tfjs-free runtime arrive as
 * their own entries.)
 */
export * from './core/index.js';
export * from './envs/index.js';
export * from './learn/index.js';
export * from './runtime/index.js';
