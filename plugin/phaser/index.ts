/**
 * `phaser-qmix/phaser`: the Phaser 4 scene plugin. Imports the core and the
 * tfjs-free runtime only; a game that trains passes a trainer (from
 * `phaser-qmix/learn`) to its squads, so shipped games never load tfjs.
 */
export { DEFAULT_TIME_BUDGET_MS, QmixPlugin, type StepStats } from './plugin.js';
export { Squad } from './squad.js';
export { playAtFixedRate, type FixedRateOptions } from './game-loop.js';
export { Arenas, type ArenaOptions } from './arenas.js';
export { SquadAgent, type AgentHooks, type GameObjectLike, type SquadMode, type SquadOptions } from './agent.js';
export { SquadEvents, type DecisionEvent, type EpisodeEndEvent, type ModeChangeEvent, type PolicyUpdateEvent } from './events.js';
export { ObservationWriter, ActionMask } from './sensors.js';
export type { Bounds, SceneObjectLike, StateFeature, StateHook, StateOptions } from './state-builder.js';
export { RaySensor, type RaySensorOptions } from './ray-sensor.js';
export { GridSensor, type GridSensorOptions } from './grid-sensor.js';
export { NearestSensor, type NearestSensorOptions } from './nearest-sensor.js';
export type { BodyLike, GroupLike, SensedObject, Sensor, SensorOrigin, SensorPen, SensorTarget, TileLayerLike, TileLike } from './sensor-world.js';
export { DemoRecorder } from './demo-recorder.js';
