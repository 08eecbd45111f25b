/** Event names a {@link Squad} emits (eventemitter3), and their payloads. */
import type { SquadMode } from './agent.js';

/** Event name constants: `squad.on(SquadEvents.EPISODE_END, (e) => ...)`. */
export const SquadEvents = Object.freeze({
  /** An episode ended (terminated, interrupted or hit the step limit): {@link EpisodeEndEvent}. */
  EPISODE_END: 'episodeend',
  /** The squad chose actions: {@link DecisionEvent}. */
  DECISION: 'decision',
  /** The mode changed: {@link ModeChangeEvent}. */
  MODE_CHANGE: 'modechange',
  /** The acting policy changed (new weights from the trainer, or a policy loaded): {@link PolicyUpdateEvent}. */
  POLICY_UPDATE: 'policyupdate',
  /** Something went wrong in a hook or the trainer; the squad stops deciding until reset: an `Error`. */
  ERROR: 'error',
} as const);

/** Payload of {@link SquadEvents.EPISODE_END}. */
export interface EpisodeEndEvent {
  readonly squad: string;
  /** Sum of the team rewards of the episode. */
  readonly teamReturn: number;
  /** Decisions taken in the episode. */
  readonly length: number;
  /** Each agent's own reward total (group rewards not included). */
  readonly agentRewards: readonly number[];
  /** True for a real end; false for an interruption or the step limit (bootstrapped). */
  readonly terminated: boolean;
  readonly mode: SquadMode;
  /** Whether the episode was handed to the trainer. */
  readonly recorded: boolean;
  /** A test episode (greedy on the trainer's policy, not recorded): see `Squad.testNextEpisode`. */
  readonly test: boolean;
}

/** Payload of {@link SquadEvents.DECISION}. */
export interface DecisionEvent {
  readonly squad: string;
  /** The action of each agent slot (the no-op for removed agents). */
  readonly actions: Int32Array;
  /** Decision index within the episode (0-based). */
  readonly step: number;
  readonly mode: SquadMode;
}

/** Payload of {@link SquadEvents.MODE_CHANGE}. */
export interface ModeChangeEvent {
  readonly squad: string;
  readonly from: SquadMode;
  readonly to: SquadMode;
}

/** Payload of {@link SquadEvents.POLICY_UPDATE}. */
export interface PolicyUpdateEvent {
  readonly squad: string;
  /** `trainer` for new weights while training, `file` for a loaded policy. */
  readonly source: 'trainer' | 'file';
  readonly updates?: number;
  readonly loss?: number;
}
