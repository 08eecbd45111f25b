/**
 * `QmixPlugin`: the Phaser 4 scene plugin. It adds squads to a scene, steps
 * them every scene update, runs fast-forward (extra scene steps per rendered
 * frame) and releases everything when the scene shuts down.
 *
 * Install it in the game config:
 * ```ts
 * new Phaser.Game({
 *   plugins: { scene: [{ key: 'QmixPlugin', plugin: QmixPlugin, mapping: 'qmix' }] },
 *   scene: [MyScene],
 * });
 * ```
 * - `key` names the plugin in the plugin manager (one class, one key, for the
 *   whole game);
 * - `mapping` is the property it gets on every scene: `this.qmix` above.
 *
 * Or at runtime: `this.plugins.installScenePlugin('QmixPlugin', QmixPlugin, 'qmix', this)`.
 *
 * Lifecycle: `boot` once per scene; on each scene `start` the plugin hooks
 * the scene's `preupdate`; on `shutdown` (also on every restart) it destroys
 * its squads and its training arenas and unhooks; on `destroy` it lets go of
 * the scene.
 */
import * as Phaser from 'phaser';
import type { SquadOptions } from './agent.js';
import { arenaCopyOf, Arenas, SharedTrainer, type ArenaOptions } from './arenas.js';
import { joinRenderCap, skippedDraws, type RenderCapMembership } from './game-loop.js';
import { Squad } from './squad.js';
import type { Bounds } from './state-builder.js';

/** Counters of the plugin's stepping (for fast-forward reports). */
export interface StepStats {
  /** Scene steps taken (real and fast-forwarded). */
  readonly sceneSteps: number;
  /** Frames the scene rendered (frames the draw cap skipped are not counted). */
  readonly renderedFrames: number;
  /** Scene steps per second over the last full second (0 before one passed). */
  readonly sceneStepsPerSec: number;
  /** Scene steps run in the latest frame (1 without fast-forward). */
  readonly stepsLastFrame: number;
  /** Frames in which fast-forward stopped early because a trainer's learner was behind (pacing). */
  readonly pacedFrames: number;
  /** Frames the game left undrawn under a draw-rate cap ({@link QmixPlugin.renderFps}), since the cap was installed. */
  readonly undrawnFrames: number;
}

const MAX_TIME_SCALE = 1000;

/**
 * The default per-frame budget of time-budget fast-forward (ms): a 60 Hz
 * frame is 16.7 ms, and rendering, input and the browser need the rest.
 */
export const DEFAULT_TIME_BUDGET_MS = 10;

/**
 * The scene plugin. In a scene: `this.qmix.addSquad(...)`.
 * @example
 * ```ts
 * create() {
 *   const squad = this.qmix.addSquad('guards', { nActions: 5 });
 *   this.qmix.timeScale = 8; // 8 scene steps per rendered frame while training
 * }
 * ```
 */
/** Each scene's plugin (how the shown scene finds its copies' squads). */
const plugins = new WeakMap<Phaser.Scene, QmixPlugin>();

export class QmixPlugin extends Phaser.Plugins.ScenePlugin {
  private readonly squadMap = new Map<string, Squad>();
  private scale = 1;
  private budget: number | null = null;
  private drawFps: number | null = null;
  private renderCap: RenderCapMembership | null = null;
  private inExtraSteps = false;
  private steps = 0;
  private frames = 0;
  private lastFrameSteps = 1;
  private paced = 0;
  private rate = { at: -1, steps: 0, perSec: 0 };
  private arenaSet: Arenas | null = null;
  private copyOf: ReturnType<typeof arenaCopyOf> = null;

  constructor(scene: Phaser.Scene, pluginManager: Phaser.Plugins.PluginManager, pluginKey: string) {
    super(scene, pluginManager, pluginKey);
  }

  override boot(): void {
    const events = this.systems!.events;
    plugins.set(this.scene!, this);
    this.copyOf = arenaCopyOf(this.systems!.settings.key);
    // An arena copy sleeps for Phaser once created: the shown scene's plugin steps it.
    if (this.copyOf) events.once(Phaser.Scenes.Events.CREATE, () => this.systems!.sleep());
    events.on(Phaser.Scenes.Events.START, this.onSceneStart, this);
    events.once(Phaser.Scenes.Events.DESTROY, this.destroy, this);
    // A plugin installed into a scene that already started (e.g. from create()) missed its START.
    const status = this.systems!.settings.status;
    if (status >= Phaser.Scenes.START && status < Phaser.Scenes.SHUTDOWN) this.onSceneStart();
  }

  /**
   * Scene steps per rendered frame (a whole number, 1 = real time). Above 1
   * the scene's update, physics included, runs that many times before each
   * render, so squads collect experience that many times faster.
   */
  get timeScale(): number {
    return this.scale;
  }

  set timeScale(value: number) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_TIME_SCALE) {
      throw new RangeError(`timeScale must be a whole number in 1..${MAX_TIME_SCALE}, got ${value}`);
    }
    this.scale = value;
  }

  /**
   * Time-budget fast-forward: when set, each rendered frame runs scene steps
   * until this many ms of the frame are spent (at most 1000 steps), and only
   * the last is rendered, so the simulation runs as fast as the machine
   * allows while frames stay on time. `timeScale` is ignored meanwhile.
   * Null (the default): fixed `timeScale`. {@link DEFAULT_TIME_BUDGET_MS}
   * keeps a 60 Hz frame on time. Either way, extra steps stop while a
   * training squad's trainer says its learner is behind (pacing).
   * @example
   * ```ts
   * this.qmix.timeBudgetMs = DEFAULT_TIME_BUDGET_MS; // train as fast as frames allow
   * this.qmix.stats.sceneStepsPerSec;                // what it reached
   * ```
   */
  get timeBudgetMs(): number | null {
    return this.budget;
  }

  set timeBudgetMs(value: number | null) {
    if (value !== null && !(Number.isFinite(value) && value > 0 && value <= 1000)) {
      throw new RangeError(`timeBudgetMs must be null or a number of ms in (0, 1000], got ${value}`);
    }
    this.budget = value;
  }

  /**
   * A cap on the draw rate while fast-forwarding (`timeScale` above 1 or a
   * time budget): at most this many drawn frames a second; the frames
   * between run the game's update only and the canvas keeps its last
   * picture. Drawing is the dearest part of a frame on a machine without a
   * GPU (WebGL on a software renderer), so a cap hands that time to the
   * simulation and the training worker. It applies to the whole game's
   * drawing (Phaser draws all scenes at once); with several capping scenes
   * the lowest rate wins. Null (the default): draw every frame.
   * @example
   * ```ts
   * this.qmix.timeBudgetMs = DEFAULT_TIME_BUDGET_MS;
   * this.qmix.renderFps = 10; // train at top speed, show 10 pictures a second
   * ```
   */
  get renderFps(): number | null {
    return this.drawFps;
  }

  set renderFps(value: number | null) {
    if (value !== null && !(Number.isFinite(value) && value > 0 && value <= 1000)) {
      throw new RangeError(`renderFps must be null or a rate in (0, 1000] frames a second, got ${value}`);
    }
    this.drawFps = value;
  }

  /** Stepping counters since the scene started. */
  get stats(): StepStats {
    return { sceneSteps: this.steps, renderedFrames: this.frames, sceneStepsPerSec: this.rate.perSec, stepsLastFrame: this.lastFrameSteps, pacedFrames: this.paced, undrawnFrames: this.game ? skippedDraws(this.game) : 0 };
  }

  /** The arena this scene plays: 0 for a shown scene, 1.. for a training-arena copy. */
  get arena(): number {
    return this.copyOf?.index ?? 0;
  }

  /** The training arenas started by {@link QmixPlugin.startArenas}, if any. */
  get arenas(): Arenas | null {
    return this.arenaSet;
  }

  /**
   * Training arenas: `count - 1` copies of this scene (its class, made
   * afresh with its init data plus `{ arena: k }`) step in lockstep with it,
   * one scene step each per step of this one, fast-forward included, and
   * feed its squads' trainers. They are neither drawn nor updated by
   * Phaser, and read no input. At every decision all copies of a squad act
   * through one batched forward, each with its own memory. The copies train
   * while the shown squad of the same name trains, and stand still
   * otherwise. A scene that builds its world in `create()` (from
   * `data.seed`, or at random) needs no other change; read
   * {@link QmixPlugin.arena} to skip page-level side effects in copies.
   * The trainers' policies must act for several copies at once
   * (`WorkerTrainer`'s do).
   * @param count arenas in all, this one included (1 .. 256)
   * @throws RangeError for a bad count; Error when arenas are running, or on a copy
   * @example
   * ```ts
   * create() {
   *   this.guards = this.qmix.addSquad('guards', { nActions: 5, trainer, mode: 'train' });
   *   // ... agents ...
   *   if (this.qmix.arena === 0) this.qmix.startArenas(8); // 8x the experience per frame
   * }
   * ```
   */
  startArenas(count: number, options: ArenaOptions = {}): Arenas {
    if (this.copyOf) throw new Error('startArenas: this scene is itself an arena copy (check qmix.arena === 0 first)');
    if (this.arenaSet) throw new Error('startArenas: arenas are running already (call stopArenas() first)');
    this.arenaSet = new Arenas(this.scene, this, count, options, (scene) => plugins.get(scene) ?? null);
    return this.arenaSet;
  }

  /** Removes the arena copies; the shown scene goes on alone. */
  stopArenas(): void {
    this.arenaSet?.stop();
    this.arenaSet = null;
  }

  /** The squads of this scene. */
  get squads(): readonly Squad[] {
    return [...this.squadMap.values()];
  }

  /**
   * Adds a squad (several per scene are fine, each with its own policy).
   * @throws Error when the name is taken or an option is invalid.
   */
  addSquad(name: string, options: SquadOptions): Squad {
    if (typeof name !== 'string' || name.length === 0) throw new Error('addSquad needs a non-empty name');
    if (this.squadMap.has(name)) throw new Error(`this scene already has a squad called "${name}"`);
    // In an arena copy, a squad trains through the shown squad of its name.
    const own = this.copyOf ? { ...options, trainer: new SharedTrainer(this.copyOf.primary, name) } : options;
    const squad = new Squad(name, own, (mode) => this.bounds(mode));
    this.squadMap.set(name, squad);
    return squad;
  }

  /** The squad called `name`, if any. */
  getSquad(name: string): Squad | undefined {
    return this.squadMap.get(name);
  }

  /** Destroys a squad (its owned trainer included). */
  removeSquad(name: string): void {
    this.squadMap.get(name)?.destroy();
    this.squadMap.delete(name);
  }

  private onSceneStart(): void {
    const events = this.systems!.events;
    events.on(Phaser.Scenes.Events.PRE_UPDATE, this.preUpdate, this);
    events.on(Phaser.Scenes.Events.RENDER, this.onRender, this);
    events.once(Phaser.Scenes.Events.SHUTDOWN, this.onSceneShutdown, this);
    this.steps = 0;
    this.frames = 0;
    this.paced = 0;
    this.rate = { at: -1, steps: 0, perSec: 0 };
    // Copies are never drawn: only shown scenes have a say in the draw rate.
    if (!this.copyOf && !this.renderCap) this.renderCap = joinRenderCap(this.game!, this);
  }

  /** The game loop's question: whether this scene fast-forwards now. */
  fastForwarding(): boolean {
    return (this.scale > 1 || this.budget !== null) && this.systems!.isActive();
  }

  /** The draw cap's question (see {@link QmixPlugin.renderFps}): a wish only while fast-forwarding. */
  renderIntervalMs(): number | null {
    if (this.drawFps === null || !(this.scale > 1 || this.budget !== null)) return null;
    return this.systems!.isActive() ? 1000 / this.drawFps : null;
  }

  private preUpdate(time: number, delta: number): void {
    if (!this.inExtraSteps && (this.scale > 1 || this.budget !== null)) {
      this.renderCap?.ensure();
      this.fastForward(time, delta);
    }
    this.steps++;
    this.arenaSet?.step(time, delta);
    for (const squad of this.squadMap.values()) squad.update(delta);
  }

  /**
   * Whole extra scene steps (events, scene.update, physics) before this
   * frame's own, none of them rendered: a fixed count (`timeScale`) or as
   * many as fit the time budget. Each step's time lies in the past of this
   * frame's, so scene clocks stay monotonic.
   */
  private fastForward(time: number, delta: number): void {
    const t0 = performance.now();
    const fixed = this.budget === null;
    const extra = fixed ? this.scale - 1 : MAX_TIME_SCALE - 1;
    let k = 0;
    this.inExtraSteps = true;
    try {
      for (; k < extra; k++) {
        if (!fixed && performance.now() - t0 >= this.budget!) break;
        if (!this.learnersKeepUp()) {
          this.paced++;
          break;
        }
        // A fixed count spaces the steps one delta apart, as real frames; a budget does not know its count, so its steps share the last delta.
        this.systems!.step(fixed ? time - (extra - k) * delta : time - delta * (1 - k / extra), delta);
      }
    } finally {
      this.inExtraSteps = false;
    }
    this.lastFrameSteps = k + 1;
  }

  /** Pacing: false while any squad's trainer says its learner is behind. */
  private learnersKeepUp(): boolean {
    for (const squad of this.squadMap.values()) if (squad.allowance() <= 0) return false;
    return true;
  }

  private onRender(): void {
    this.frames++;
    if (this.budget === null && this.scale === 1) this.lastFrameSteps = 1;
    const now = performance.now();
    if (this.rate.at < 0) this.rate = { at: now, steps: this.steps, perSec: 0 };
    else if (now - this.rate.at >= 1000) this.rate = { at: now, steps: this.steps, perSec: ((this.steps - this.rate.steps) * 1000) / (now - this.rate.at) };
  }

  private onSceneShutdown(): void {
    const events = this.systems!.events;
    events.off(Phaser.Scenes.Events.PRE_UPDATE, this.preUpdate, this);
    events.off(Phaser.Scenes.Events.RENDER, this.onRender, this);
    events.off(Phaser.Scenes.Events.SHUTDOWN, this.onSceneShutdown, this);
    this.renderCap?.leave();
    this.renderCap = null;
    this.stopArenas();
    for (const squad of this.squadMap.values()) squad.destroy();
    this.squadMap.clear();
    this.scale = 1;
    this.budget = null;
    this.drawFps = null;
  }

  override destroy(): void {
    if (this.systems) {
      this.onSceneShutdown();
      this.systems.events.off(Phaser.Scenes.Events.START, this.onSceneStart, this);
    }
    super.destroy();
  }

  private bounds(mode: 'world' | 'camera'): Bounds {
    const scene = this.scene!;
    if (mode === 'camera') {
      const v = scene.cameras.main.worldView;
      return { x: v.x, y: v.y, width: v.width || 1, height: v.height || 1 };
    }
    const world = (scene as { physics?: { world?: { bounds?: Bounds } } }).physics?.world?.bounds;
    if (world && world.width > 0 && world.height > 0) return world;
    return { x: 0, y: 0, width: Number(scene.scale.width) || 1, height: Number(scene.scale.height) || 1 };
  }
}
