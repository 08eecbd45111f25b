/**
 * Exploration schedules: a value that moves from `start` to `finish` over
 * `time` env steps and then stays at `finish`.
 */
import type { QmixConfig, ScheduleKind } from './config.js';
import type { ActionMode } from './explore.js';

/** A schedule evaluated at an env-step count. */
export interface Schedule {
  /** Value after `t` env steps. */
  at(t: number): number;
}

/**
 * Builds a schedule.
 * - `linear`: pymarl's DecayThenFlatSchedule, straight line from start to finish.
 * - `exponential`: geometric decay start * (finish/start)^(t/time), which
 *   reaches `finish` exactly at `time`. (pymarl's "exp" variant ignores
 *   `start` and uses exp(-t/scale); ours starts where it says it starts.)
 *
 * @example
 * ```ts
 * const eps = makeSchedule('linear', 1.0, 0.05, 50_000);
 * eps.at(0);      // 1.0
 * eps.at(25_000); // 0.525
 * eps.at(1e9);    // 0.05
 * ```
 */
export function makeSchedule(kind: ScheduleKind, start: number, finish: number, time: number): Schedule {
  if (time <= 0) return { at: () => finish };
  if (kind === 'linear') {
    const delta = (start - finish) / time;
    return { at: (t) => (t >= time ? finish : start - delta * Math.max(0, t)) };
  }
  if (start <= 0 || finish <= 0) throw new RangeError('an exponential schedule needs start > 0 and finish > 0');
  const ratio = finish / start;
  return { at: (t) => (t >= time ? finish : start * Math.pow(ratio, Math.max(0, t) / time)) };
}

/**
 * The exploration a config asks for at a given env-step count: epsilon-greedy
 * or Boltzmann, its value following the configured schedule.
 * @example
 * ```ts
 * const exploration = makeExploration(config);
 * exploration.at(envSteps); // { kind: 'epsilon-greedy', epsilon: 0.52 }
 * ```
 */
export function makeExploration(c: QmixConfig): { at(envSteps: number): ActionMode } {
  if (c.exploration === 'boltzmann') {
    const s = makeSchedule(c.epsilonSchedule, c.temperatureStart, c.temperatureFinish, c.epsilonAnnealTime);
    return { at: (t) => ({ kind: 'boltzmann', temperature: s.at(t) }) };
  }
  const s = makeSchedule(c.epsilonSchedule, c.epsilonStart, c.epsilonFinish, c.epsilonAnnealTime);
  return { at: (t) => ({ kind: 'epsilon-greedy', epsilon: s.at(t) }) };
}
