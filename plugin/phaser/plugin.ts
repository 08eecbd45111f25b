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
 * its squads and unhooks; on `destroy` it lets go of the scene.
 */
import * as Phaser from 'phaser';
import type { SquadOptions } from './agent.js';
import { Squad } from './squad.js';
import type { Bounds } from './state-builder.js';

/** Counters of the plugin's stepping (for fast-forward reports). */
export interface StepStats {
  /** Scene steps taken (real and fast-forwarded). */
  readonly sceneSteps: number;
  /** Frames the scene rendered. */
  readonly renderedFrames: number;
}

const MAX_TIME_SCALE = 1000;

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
export class QmixPlugin extends Phaser.Plugins.ScenePlugin {
  private readonly squadMap = new Map<string, Squad>();
  private scale = 1;
  private inExtraSteps = false;
  private steps = 0;
  private frames = 0;

  constructor(scene: Phaser.Scene, pluginManager: Phaser.Plugins.PluginManager, pluginKey: string) {
    super(scene, pluginManager, pluginKey);
  }

  override boot(): void {
    const events = this.systems!.events;
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

  /** Stepping counters since the scene started. */
  get stats(): StepStats {
    return { sceneSteps: this.steps, renderedFrames: this.frames };
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
    const squad = new Squad(name, options, (mode) => this.bounds(mode));
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
  }

  private preUpdate(time: number, delta: number): void {
    if (!this.inExtraSteps && this.scale > 1) {
      // Fast-forward: whole extra scene steps (events, scene.update, physics)
      // before this one, none of them rendered.
      this.inExtraSteps = true;
      try {
        for (let k = 1; k < this.scale; k++) this.systems!.step(time - (this.scale - k) * delta, delta);
      } finally {
        this.inExtraSteps = false;
      }
    }
    this.steps++;
    for (const squad of this.squadMap.values()) squad.update(delta);
  }

  private onRender(): void {
    this.frames++;
  }

  private onSceneShutdown(): void {
    const events = this.systems!.events;
    events.off(Phaser.Scenes.Events.PRE_UPDATE, this.preUpdate, this);
    events.off(Phaser.Scenes.Events.RENDER, this.onRender, this);
    events.off(Phaser.Scenes.Events.SHUTDOWN, this.onSceneShutdown, this);
    for (const squad of this.squadMap.values()) squad.destroy();
    this.squadMap.clear();
    this.scale = 1;
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
