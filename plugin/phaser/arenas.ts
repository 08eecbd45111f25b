/**
 * Training arenas: copies of a scene that step in lockstep with the shown
 * one and feed the same trainers, so a squad collects experience several
 * times faster (what Unity ML-Agents users do with many training areas, and
 * what the CLI's `--envs K` does). The copies are real instances of the
 * scene's class, asleep for Phaser (neither updated by it nor drawn); the
 * shown scene's plugin steps them, one scene step each per step of its own,
 * and before every step chooses the actions of every copy's squads that
 * decide then with one batched forward ({@link QPolicy.qValuesMany}).
 *
 * A copy's squads share the shown squads' trainers (matched by name) and
 * train while the shown squad of that name trains; the copies stand still
 * while it does not (greedy, heuristic, a paused scene).
 */
import * as Phaser from 'phaser';
import type { ActingMemory } from '../core/runner.js';
import type { TrainerUpdateInfo, SquadTrainer } from '../core/trainer-handle.js';
import type { Squad } from './squad.js';

/** What an arena copy needs of a plugin (the shown scene's or its own). */
export interface ArenaHost {
  readonly squads: readonly Squad[];
  getSquad(name: string): Squad | undefined;
}

/** Options of `QmixPlugin.startArenas`. */
export interface ArenaOptions {
  /**
   * Init data of copy `arena` (1 .. count - 1). Default: the shown scene's
   * own data plus `{ arena }`, and `seed + arena` when that data has a
   * numeric `seed` (so a scene that builds its world from `data.seed` plays
   * a different world in every copy with no other change).
   */
  readonly data?: (arena: number) => object;
}

/** The arena a plugin's scene plays in: 0 for the shown scene, 1.. for copies (set before the copy's scene is created). */
const pendingCopies = new Map<string, { readonly primary: ArenaHost; readonly index: number }>();

/** @internal Which arena the scene with this key was created as (null: not a copy). */
export function arenaCopyOf(key: string): { readonly primary: ArenaHost; readonly index: number } | null {
  return pendingCopies.get(key) ?? null;
}

/**
 * The trainer a copy's squad uses: the shown squad's of the same name, looked
 * up at each call (the page may attach or replace it at any time).
 */
export class SharedTrainer implements SquadTrainer {
  constructor(
    private readonly primary: ArenaHost,
    private readonly squadName: string,
  ) {}

  private get target(): SquadTrainer {
    const t = this.primary.getSquad(this.squadName)?.trainer;
    if (!t) throw new Error(`arena copy of squad "${this.squadName}": the shown scene's squad "${this.squadName}" has no trainer`);
    return t;
  }

  submitEpisode(episode: Parameters<SquadTrainer['submitEpisode']>[0]): void {
    this.target.submitEpisode(episode);
  }

  get policy(): SquadTrainer['policy'] {
    return this.target.policy;
  }

  explorationMode(): ReturnType<SquadTrainer['explorationMode']> {
    return this.target.explorationMode();
  }

  onUpdate(_listener: (info: TrainerUpdateInfo) => void): () => void {
    return () => {};
  }

  allowance(): number {
    return this.primary.getSquad(this.squadName)?.trainer?.allowance?.() ?? Infinity;
  }

  dispose(): void {}
}

/** One squad name's batch: its copies' memories and the batched buffers (grown, never shrunk). */
interface SquadBatch {
  readonly memories: Map<Squad, ActingMemory>;
  /** This step's copies of the squad (the shown one first), those deciding, and their memories: reused every step. */
  readonly copies: Squad[];
  readonly deciding: Squad[];
  readonly decidingMemories: ActingMemory[];
  obs: Float32Array;
  last: Int32Array;
  q: Float32Array;
}

/**
 * The copies of one shown scene. Made by `QmixPlugin.startArenas`.
 * @example
 * ```ts
 * // in the scene's create(), after its squads are added:
 * const arenas = this.qmix.startArenas(8); // the shown arena and 7 copies
 * arenas.scenes;                          // the copies (their rules, for tests and tools)
 * this.qmix.stopArenas();                 // back to the shown scene alone
 * ```
 */
export class Arenas {
  /** The copies' scenes (started asynchronously by Phaser: a copy steps once it has been created). */
  readonly scenes: readonly Phaser.Scene[];
  /** Batched forwards run (one per decision step of a squad name, for all its copies). */
  batchedForwards = 0;
  private readonly batches = new Map<string, SquadBatch>();
  private readonly copyHosts: (() => ArenaHost | null)[];
  private readonly hosts: (ArenaHost | null)[] = [];
  private stopped = false;

  /** @internal */
  constructor(
    scene: Phaser.Scene | null,
    private readonly primary: ArenaHost,
    /** Arenas in all, the shown one included. */
    readonly count: number,
    options: ArenaOptions,
    hostOf: (scene: Phaser.Scene) => ArenaHost | null,
  ) {
    if (!scene) throw new Error('startArenas needs a started scene');
    if (!(Number.isInteger(count) && count >= 1 && count <= 256)) throw new RangeError(`arenas: count must be a whole number in 1..256 (the shown arena included), got ${count}`);
    const key = scene.sys.settings.key;
    const shown = (scene.sys.settings.data ?? {}) as Record<string, unknown>;
    const Base = scene.constructor as new () => Phaser.Scene;
    const scenes: Phaser.Scene[] = [];
    for (let k = 1; k < count; k++) {
      const copyKey = `${key}#arena${k}`;
      if (scene.game.scene.getScene(copyKey)) throw new Error(`arenas: a scene "${copyKey}" exists already (call stopArenas() first)`);
      const data = options.data
        ? options.data(k)
        : { ...shown, arena: k, ...(typeof shown.seed === 'number' ? { seed: shown.seed + k } : {}) };
      const copy = new Base();
      copy.sys.settings.key = copyKey;
      // The copy's plugin finds this at boot: it puts the scene to sleep for
      // Phaser once created (not updated by the game loop, not drawn, no input).
      pendingCopies.set(copyKey, { primary, index: k });
      scene.game.scene.add(copyKey, copy, true, data);
      scenes.push(copy);
    }
    this.scenes = scenes;
    this.copyHosts = scenes.map((s) => () => hostOf(s));
  }

  /** Copies created and stepping so far. */
  get started(): number {
    return this.scenes.filter((s) => s.sys.settings.status === Phaser.Scenes.SLEEPING).length;
  }

  /**
   * @internal Called by the shown scene's plugin before its own squads
   * update, once per scene step: stages the decisions due in every arena,
   * chooses them per squad name with one batched forward, then steps the
   * copies (their squads apply the chosen actions).
   */
  step(time: number, delta: number): void {
    if (this.stopped) return;
    const shown = this.primary.squads;
    if (!shown.some((s) => s.mode === 'train' && s.error === null)) return;
    // Once per step, in place: the copies that are created (asleep) have a host to step.
    const hosts = this.hosts;
    for (let k = 0; k < this.copyHosts.length; k++) hosts[k] = this.scenes[k].sys.settings.status === Phaser.Scenes.SLEEPING ? this.copyHosts[k]() : null;
    for (const shownSquad of shown) {
      if (shownSquad.mode !== 'train' || shownSquad.error !== null) continue;
      const batch = this.batchOf(shownSquad.name);
      const copies = batch.copies;
      copies.length = 0;
      copies.push(shownSquad);
      for (const host of hosts) {
        const s = host?.getSquad(shownSquad.name);
        if (!s || s.error !== null) continue;
        if (s.mode !== 'train') s.setMode('train');
        copies.push(s);
      }
      this.decide(shownSquad, batch, delta);
    }
    for (let k = 0; k < hosts.length; k++) if (hosts[k]) this.scenes[k].sys.step(time, delta);
  }

  private batchOf(name: string): SquadBatch {
    let batch = this.batches.get(name);
    if (!batch) {
      batch = { memories: new Map(), copies: [], deciding: [], decidingMemories: [], obs: new Float32Array(0), last: new Int32Array(0), q: new Float32Array(0) };
      this.batches.set(name, batch);
    }
    return batch;
  }

  /** Stages every copy's decision and chooses all that are due with one forward. */
  private decide(shown: Squad, batch: SquadBatch, delta: number): void {
    const deciding = batch.deciding;
    const memories = batch.decidingMemories;
    deciding.length = 0;
    memories.length = 0;
    for (const s of batch.copies) {
      let m = batch.memories.get(s);
      if (!m) {
        m = { hidden: null };
        batch.memories.set(s, m);
      }
      if (s.stageStep(delta, m)) {
        deciding.push(s);
        memories.push(m);
      }
    }
    if (deciding.length === 0) return;
    const policy = shown.trainer?.policy;
    if (!policy?.qValuesMany) {
      const err = new Error(`arenas: the trainer of squad "${shown.name}" acts through a policy without qValuesMany (one forward for several arenas); use WorkerTrainer, or train without arenas`);
      for (const s of deciding) s.halt(err);
      return;
    }
    const first = deciding[0].stagedRows();
    const N = first.lastActions.length;
    const O = first.obs.length / N;
    const A = first.avail.length / N;
    const m = deciding.length;
    if (batch.obs.length < m * N * O) batch.obs = new Float32Array(m * N * O);
    if (batch.last.length < m * N) batch.last = new Int32Array(m * N);
    if (batch.q.length < m * N * A) batch.q = new Float32Array(m * N * A);
    for (let k = 0; k < m; k++) {
      const rows = k === 0 ? first : deciding[k].stagedRows();
      batch.obs.set(rows.obs, k * N * O);
      if (rows.first) batch.last.fill(-1, k * N, (k + 1) * N);
      else batch.last.set(rows.lastActions, k * N);
    }
    // Exact-length views only when the batch shrank (no allocation in the steady state).
    const obs = batch.obs.length === m * N * O ? batch.obs : batch.obs.subarray(0, m * N * O);
    const last = batch.last.length === m * N ? batch.last : batch.last.subarray(0, m * N);
    const q = batch.q.length === m * N * A ? batch.q : batch.q.subarray(0, m * N * A);
    policy.qValuesMany(memories, obs, last, q);
    this.batchedForwards++;
    for (let k = 0; k < m; k++) deciding[k].chooseStaged(q, k * N * A);
  }

  /** @internal Removes the copies (their squads hand partial episodes over first). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.primary.squads) s.leaveArenas();
    for (const scene of this.scenes) {
      pendingCopies.delete(scene.sys.settings.key);
      scene.game?.scene.remove(scene.sys.settings.key);
    }
  }
}
