/** Reference environments in pure TypeScript (no tfjs, no Phaser). */
export { TwoStepEnv, TWO_STEP_STATES, TWO_STEP_PAYOFF_2B, TWO_STEP_UNIFORM_CONFIG, twoStepQTotTable, type QTotProbe } from './two-step.js';
export { MatrixGameEnv, NONMONOTONIC_PAYOFF } from './matrix-game.js';
export { MeetingGridworld } from './meeting-gridworld.js';
export { PressurePlates, PLATES_STEP_PENALTY } from './pressure-plates.js';
export { Pursuit, PURSUIT_STEP_PENALTY } from './pursuit.js';
export { registerEnv, makeEnv, listEnvs, type EnvFactory } from './registry.js';
export { LevelBasedForaging, parseLbfName, type LbfLayout, type LbfOptions } from './lbf.js';
