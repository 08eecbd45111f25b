/**
 * The training editor's contracts: what it needs of the page (options), of
 * the trainer ({@link EditorTrainer}, which `WorkerTrainer` implements) and
 * what it charts.
 */
import type { QmixConfig } from '../core/config.js';
import type { EnvSpec } from '../core/env.js';
import type { SquadTrainer } from '../core/trainer-handle.js';
import type { EpisodeEndEvent } from '../phaser/events.js';
import type { Squad } from '../phaser/squad.js';
import type { PolicyFile } from '../runtime/policy-file.js';
import type { EditorTest } from './best.js';
import type { SpeedTarget } from './speed.js';

/** Backends the editor offers. */
export type EditorBackend = 'auto' | 'webgl' | 'wasm' | 'cpu';

/** Worker metrics the editor charts (a subset of `WorkerMetrics`). */
export interface EditorMetrics {
  readonly backend: string;
  readonly updates: number;
  readonly envSteps: number;
  readonly loss: number;
  readonly qTotMean: number;
  readonly epsilon: number;
  readonly updatesPerSec: number;
  readonly envStepsPerSec: number;
  /** Rules mode: the training episodes since the last metrics. */
  readonly trainReturnMean?: number;
  readonly trainWinRate?: number | null;
  readonly trainEpisodes?: number;
  readonly paused?: boolean;
}

/** Where pacing stands (`WorkerTrainer.pacingState` fits). */
export interface EditorPacing {
  readonly lagUpdates: number;
  readonly targetStepsPerUpdate: number;
  readonly stepsPerUpdate: number;
}

/** The worker's own env copies the editor may train on (rules mode), as the page offers them. */
export interface EditorRules {
  /** A registered env name in the page's worker script, e.g. `carrot-heist:flee`. */
  readonly env: string;
  readonly copies?: number;
  readonly testEvery?: number;
  readonly testEpisodes?: number;
  readonly stopAt?: number | null;
}

/** What the editor needs of a trainer: `WorkerTrainer` from `phaser-qmix/worker` fits. */
export interface EditorTrainer extends SquadTrainer {
  readonly backend: string | null;
  readonly envSteps: number;
  setPaused(paused: boolean): void;
  save(name: string, includeBuffer?: boolean): Promise<number>;
  restore(name: string): Promise<{ updates: number; envSteps: number; episodes: number }>;
  /** `best`: the policy of the best greedy test so far (rules mode). */
  exportPolicy(which?: 'current' | 'best'): Promise<PolicyFile>;
  credit(qs: Float32Array, state: Float32Array): Promise<Float32Array | null>;
  /** Why the backend was chosen (shown beside it). */
  readonly backendReason?: string | null;
  /** Threads the updates run on, and why one (shown beside the backend). */
  readonly kernelThreads?: { readonly threads: 1 | 2; readonly note: string | null } | null;
  /** Pacing of game-fed training (lag, ratio asked for and in force). */
  readonly pacingState?: EditorPacing;
  /** Turns the adaptive load off (full duty cycle) or on again; the editor turns it off at speed `max`. */
  setAdaptiveLoad?(on: boolean): void;
  /** Whether the trainer steps env copies itself (rules mode). */
  readonly rulesMode?: boolean;
  /** Demonstrations to train on (a demonstration file's JSON); `WorkerTrainer` takes them. */
  loadDemonstrations?(file: string | object, opts?: { share?: number }): Promise<{ episodes: number; share: number }>;
  on(event: 'metrics', fn: (m: EditorMetrics) => void): unknown;
  on(event: 'test', fn: (t: EditorTest) => void): unknown;
  /** 'rollback': an update diverged and was undone; 'diverged': training stopped after repeated rollbacks ({ message }). */
  on(event: 'backend' | 'ready' | 'error' | 'fault' | 'rollback' | 'diverged', fn: (e: unknown) => void): unknown;
}

/** A saved checkpoint as the store lists it. */
export interface EditorCheckpointInfo {
  readonly name: string;
  readonly savedAt: string;
  readonly updates: number;
  readonly envSteps: number;
}

/** Options of {@link TrainingEditor}. */
export interface TrainingEditorOptions {
  /** Where the panel goes. */
  readonly container: HTMLElement;
  readonly squad: Squad;
  /** The scene plugin (time scale, time-budget fast-forward, stepping stats): `QmixPlugin` fits. */
  readonly plugin: SpeedTarget & {
    readonly stats?: { readonly sceneStepsPerSec: number };
    /** Training arenas (`QmixPlugin` has them): used when `arenas` is set. */
    startArenas?(count: number): unknown;
    stopArenas?(): void;
  };
  /**
   * Makes a trainer for the squad (the page decides how its worker starts).
   * `rules` is set when the page gave its rules: pass it to
   * `WorkerTrainer`'s `rules` option (`copies: 0` when experience comes from
   * the scene or its arenas: the worker then only tests on the rules).
   */
  readonly createTrainer: (spec: EnvSpec, config: Partial<QmixConfig>, options: { backend: EditorBackend; resume: boolean; autosaveName: string; rules: EditorRules | null }) => EditorTrainer;
  /**
   * The game's rules as an env registered in the page's worker script: the
   * editor then offers (and defaults to) training on env copies the worker
   * steps itself, at headless speed, while the scene plays the latest
   * weights greedily. Absent: experience comes from the scene only.
   */
  readonly rules?: EditorRules;
  /**
   * Training arenas: this many copies of the squad's scene in all (the shown
   * one included) step together and feed the trainer, through the plugin's
   * `startArenas`. The editor then offers them as the experience source, and
   * defaults to them. Absent or 1: no arenas.
   */
  readonly arenas?: number;
  /** Where checkpoints live (the one the trainer's worker saves to). */
  readonly store: {
    list(): Promise<readonly EditorCheckpointInfo[]>;
    /** Reads a checkpoint (its manifest holds the config it was trained with): resuming the autosave then uses its own settings. `IdbCheckpointStore` fits. */
    load?(name: string): Promise<{ readonly manifest: string }>;
  };
  /** Pauses and resumes the game itself (default: nothing; training still pauses). */
  readonly pauseGame?: (paused: boolean) => void;
  /** Whether an episode counts as a win (for the win-rate chart). */
  readonly isWin?: (e: EpisodeEndEvent) => boolean;
  /** What a win is, in the player's words, shown under the charts (e.g. 'the rabbit is caught before the round ends'). */
  readonly winMeaning?: string;
  /** A greedy test episode after every this many training episodes. Default 5. */
  readonly testEvery?: number;
  /** Starting hyperparameters. */
  readonly config?: Partial<QmixConfig>;
  /** Draw each NPC's action and Q-values over the game: the game canvas and the scene's size. */
  readonly overlay?: { readonly canvas: HTMLCanvasElement; readonly width: number; readonly height: number };
  /** Name of the trainer's autosave (offered again after a reload). Default `editor-autosave`. */
  readonly autosaveName?: string;
  /**
   * Where the applied settings, the speed and the experience source are
   * kept across a reload (a localStorage key); null keeps nothing. Default
   * `phaser-qmix-editor:<autosaveName>`.
   */
  readonly settingsKey?: string | null;
}
