/**
 * A squad: game objects acting as the agents of one cooperative team, one
 * policy. The squad asks each agent's hooks what it observes and may do,
 * chooses actions by mode, applies them, gathers rewards and episode ends,
 * and (when training) records episodes for its trainer.
 *
 * Lifecycle of one episode:
 *   begin: every live agent's `onEpisodeBegin`
 *   each decision (every `decisionPeriod`, or when requested):
 *     `observe` + `mask` per agent -> [state from the scene, when recording]
 *     -> actions (train: epsilon-greedy on the trainer's policy; greedy: the
 *        loaded policy, each agent alone; heuristic: the `heuristic` hook)
 *     -> `act` per live agent (and again, with the held action, every step
 *        between decisions)
 *   rewards: `addReward` / `addGroupReward` at any time
 *   end: `endEpisode()` (terminal), `interruptEpisode()` or the step limit
 *     (bootstrapped); then the next episode begins at once.
 */
import { EventEmitter } from 'eventemitter3';
import { EpisodeBuilder } from '../core/episode.js';
import { validateSpec, type EnvSpec, type ObsFeature } from '../core/env.js';
import { GREEDY, selectActions, type ActionMode } from '../core/explore.js';
import { Rng } from '../core/rng.js';
import type { ActingMemory } from '../core/runner.js';
import type { SquadTrainer } from '../core/trainer-handle.js';
import { GreedyPolicy, loadPolicy } from '../runtime/greedy-policy.js';
import { SquadEvents, type DecisionEvent, type EpisodeEndEvent, type ModeChangeEvent, type PolicyUpdateEvent } from './events.js';
import { SquadAgent, type AgentHooks, type GameObjectLike, type SquadMode, type SquadOptions } from './agent.js';
import { ActionMask, ObservationWriter } from './sensors.js';
import type { Sensor, SensorOrigin } from './sensor-world.js';
import { StateBuilder, type Bounds, type StateFeature } from './state-builder.js';

const DEFAULT_MAX_STEPS = 500;

/**
 * A squad of agents sharing one policy. Create with `this.qmix.addSquad(name, options)`.
 *
 * @example
 * ```ts
 * const squad = this.qmix.addSquad('guards', { nActions: 5, trainer: (spec) => new EpisodeTrainer(spec), mode: 'train' });
 * for (const g of guards) squad.addAgent(g, { observe: (o) => o.addVec2(g.x / W, g.y / H), act: (a) => move(g, a) });
 * squad.on(SquadEvents.EPISODE_END, (e) => console.log(e.teamReturn));
 * // in the game's update: squad.addGroupReward(1); squad.endEpisode();
 * ```
 */
export class Squad extends EventEmitter {
  readonly agents: SquadAgent[] = [];
  private modeValue: SquadMode;
  private policyValue: GreedyPolicy | null = null;
  private trainerValue: SquadTrainer | null = null;
  private readonly ownsTrainer: boolean;
  private unsubscribe: (() => void) | null = null;
  private readonly state: StateBuilder;
  private readonly writer = new ObservationWriter();
  private readonly mask: ActionMask;
  private readonly rng: Rng;
  private readonly period: { frames: number } | { ms: number };
  private readonly maxSteps: number;
  private readonly noop: number;
  private obsSize: number;
  private inferredLayout: ObsFeature[] | null = null;
  private sensorUses: { sensor: Sensor; from: SensorOrigin }[][] | null = null;
  private recordHeuristicValue: boolean;
  private spec: EnvSpec | null = null;
  private builder: EpisodeBuilder | null = null;
  // per-decision buffers, sized when the spec is fixed
  private obs = new Float32Array(0);
  private avail = new Uint8Array(0);
  private stateBuf = new Float32Array(0);
  private q = new Float32Array(0);
  private actions = new Int32Array(0);
  private lastActions = new Int32Array(0);
  private agentRewards = new Float64Array(0);
  // episode bookkeeping
  private step = 0;
  private pendingReward = 0;
  private teamReturn = 0;
  private recording = false;
  private testPending = false;
  private testingNow = false;
  /** Where the latest Q-values came from (null: none computed). */
  private qFrom: 'train' | 'greedy' | null = null;
  private builderActive = false;
  private needsBegin = true;
  private decisionDue = true;
  private framesSince = 0;
  private msSince = 0;
  private halted: Error | null = null;
  private destroyed = false;
  /** Training arenas: this copy's own acting memory (null: act through the trainer's policy alone). */
  private arenaMemory: ActingMemory | null = null;
  /** Training arenas: how far {@link Squad.stageStep} took this step ahead of {@link Squad.update}. */
  private staged: 'held' | 'choose' | 'done' | null = null;
  /** Undo functions for listeners placed on game objects. */
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly options: SquadOptions,
    resolveBounds: (mode: 'world' | 'camera') => Bounds,
  ) {
    super();
    const { nActions } = options;
    if (!Number.isInteger(nActions) || nActions < 1) throw new Error(`squad "${name}": nActions = ${String(nActions)} is invalid: expected a positive integer`);
    this.noop = options.noopAction ?? 0;
    if (!Number.isInteger(this.noop) || this.noop < 0 || this.noop >= nActions) throw new Error(`squad "${name}": noopAction ${this.noop} is not in 0..${nActions - 1}`);
    this.recordHeuristicValue = options.recordHeuristic === true;
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    if (!Number.isInteger(this.maxSteps) || this.maxSteps < 1) throw new Error(`squad "${name}": maxSteps ${this.maxSteps} is invalid: expected a positive integer`);
    this.period = options.decisionPeriod ?? { frames: 5 };
    const p = 'frames' in this.period ? this.period.frames : this.period.ms;
    if (!(p > 0) || ('frames' in this.period && !Number.isInteger(p))) throw new Error(`squad "${name}": decisionPeriod ${JSON.stringify(this.period)} is invalid`);
    this.obsSize = options.obsSize ?? -1;
    this.mask = new ActionMask(nActions);
    this.rng = new Rng(options.seed ?? 0, `squad:${name}`);
    this.state = new StateBuilder(`squad "${name}"`, options.state ?? {}, resolveBounds);
    this.ownsTrainer = typeof options.trainer === 'function';
    if (options.trainer !== undefined && typeof options.trainer !== 'function') this.attachTrainer(options.trainer);
    if (options.policy !== undefined) this.setPolicy(options.policy);
    this.modeValue = options.mode ?? 'heuristic';
    this.checkModeReady(this.modeValue);
  }

  /** The current mode. */
  get mode(): SquadMode {
    return this.modeValue;
  }

  /** The loaded greedy policy, if any. */
  get policy(): GreedyPolicy | null {
    return this.policyValue;
  }

  /** The trainer, once there is one (a factory runs when the sizes are known). */
  get trainer(): SquadTrainer | null {
    return this.trainerValue;
  }

  /** The env spec the squad presents to its trainer (null until the sizes are fixed). */
  get envSpec(): EnvSpec | null {
    return this.spec;
  }

  /**
   * The env spec the squad presents to a trainer, fixing the sizes now if
   * they are not yet (it calls one agent's `observe` and builds the state
   * once). What a page needs to create a trainer before training starts.
   * @example
   * ```ts
   * squad.setTrainer(new WorkerTrainer(squad.resolveSpec(), config, options));
   * ```
   */
  resolveSpec(): EnvSpec {
    this.assertAlive();
    if (this.spec) return this.spec;
    if (this.obsSize < 0) this.inferObsSize();
    this.ensureArrays();
    this.fixSpec();
    return this.spec!;
  }

  /** Decisions taken in the current episode. */
  get episodeStep(): number {
    return this.step;
  }

  /** Whether the current episode is a test episode (see {@link Squad.testNextEpisode}). */
  get testing(): boolean {
    return this.testingNow;
  }

  /**
   * Agent `agent`'s Q-values at the latest decision (one per action; the
   * runtime's buffer in greedy mode, so copy it to keep it), or null when no
   * Q-values were computed (heuristic mode, before the first decision, a
   * removed agent in greedy mode).
   * @example
   * ```ts
   * const q = squad.qValues(0); // e.g. draw them over the agent's sprite
   * ```
   */
  qValues(agent: number): Float32Array | null {
    if (!(agent >= 0 && agent < this.agents.length) || this.qFrom === null) return null;
    const A = this.options.nActions;
    if (this.qFrom === 'train') return this.q.subarray(agent * A, (agent + 1) * A);
    return this.agents[agent].alive && this.policyValue ? this.policyValue.lastQValues(agent) : null;
  }

  /**
   * The global state built at the latest recorded decision (null before one;
   * never built in greedy play). A view: copy it to keep it.
   */
  get lastState(): Float32Array | null {
    return this.spec === null ? null : this.stateBuf;
  }

  /**
   * Makes the next episode a test: in `train` mode it acts greedily on the
   * trainer's policy (no exploration) and is not recorded; its
   * `EPISODE_END` event says `test: true`. How an editor measures the greedy
   * return while training.
   * @example
   * ```ts
   * squad.on(SquadEvents.EPISODE_END, (e) => { if (e.test) chart.addTest(e.teamReturn); });
   * squad.testNextEpisode();
   * ```
   */
  testNextEpisode(): void {
    this.testPending = true;
  }

  /**
   * Pacing: env steps this squad may still record before its trainer's
   * learner falls behind the training ratio (Infinity when it is not
   * recording, or its trainer sets no limit). Fast-forward waits at 0.
   */
  allowance(): number {
    if (!this.recording || this.halted || this.destroyed) return Infinity;
    return this.trainerValue?.allowance?.() ?? Infinity;
  }

  /** The error that stopped the squad, if any (see {@link Squad.reset}). */
  /**
   * Notes, from the next decision on, which sensors each agent's `observe`
   * read and from where (`obs.sensor(s, from)`), for drawing them (the
   * editor's sensor view); off again with false. Off costs nothing.
   * @example
   * ```ts
   * squad.traceSensors(true);
   * squad.on(SquadEvents.DECISION, () => { for (const u of squad.sensorsUsed(0)) u.sensor.draw?.(pen, u.from); });
   * ```
   */
  traceSensors(on: boolean): void {
    this.sensorUses = on ? [] : null;
  }

  /** The sensors agent `i` read at the latest traced decision (empty when not tracing). */
  sensorsUsed(i: number): readonly { readonly sensor: Sensor; readonly from: SensorOrigin }[] {
    return this.sensorUses?.[i] ?? [];
  }

  get error(): Error | null {
    return this.halted;
  }

  /**
   * Binds a game object as the next agent. Agents are fixed once the sizes
   * are: afterwards a new object can only take the slot of a destroyed one.
   */
  addAgent<G extends GameObjectLike>(gameObject: G, hooks: AgentHooks<G>): SquadAgent<G> {
    this.assertAlive();
    if (gameObject == null || typeof gameObject !== 'object') throw new Error(`squad "${this.name}": addAgent needs a game object`);
    if (typeof hooks?.observe !== 'function' || typeof hooks?.act !== 'function') throw new Error(`squad "${this.name}": agent hooks need observe() and act()`);
    let agent: SquadAgent<G>;
    if (this.spec === null) {
      agent = new SquadAgent(this, this.agents.length, gameObject, hooks);
      this.agents.push(agent as unknown as SquadAgent);
      this.state.addAgent(`agent${agent.index}`, () => this.agents[agent.index].gameObject);
    } else {
      const free = this.agents.findIndex((a) => a.gameObject === null);
      if (free < 0) throw new Error(`squad "${this.name}" has ${this.agents.length} agents fixed since its first episode; a new one can only replace a destroyed one`);
      agent = new SquadAgent(this, free, gameObject, hooks);
      this.agents[free] = agent as unknown as SquadAgent;
    }
    const onDestroy = (): void => this.onDestroyed(agent as unknown as SquadAgent);
    gameObject.once?.('destroy', onDestroy);
    this.cleanups.push(() => gameObject.off?.('destroy', onDestroy));
    return agent;
  }

  /** Registers another game object for the global state (opponent, goal, pickup ...), before the first episode. */
  addStateObject(name: string, gameObject: GameObjectLike, features: readonly StateFeature[] = ['x', 'y', 'active']): void {
    this.assertAlive();
    let current: GameObjectLike | null = gameObject;
    const onDestroy = (): void => {
      current = null;
    };
    gameObject.once?.('destroy', onDestroy);
    this.cleanups.push(() => gameObject.off?.('destroy', onDestroy));
    this.state.add(name, () => current, features);
  }

  /** Adds to one agent's reward (summed into the team reward of the current step). */
  addReward(agent: number | SquadAgent, reward: number): void {
    const i = typeof agent === 'number' ? agent : agent.index;
    if (!(i >= 0 && i < this.agents.length)) throw new RangeError(`squad "${this.name}": no agent ${i}`);
    if (!Number.isFinite(reward)) throw new RangeError(`squad "${this.name}": reward for agent ${i} must be finite, got ${reward}`);
    this.ensureArrays();
    this.agentRewards[i] += reward;
    this.pendingReward += reward;
  }

  /** Adds a reward for the whole team. */
  addGroupReward(reward: number): void {
    if (!Number.isFinite(reward)) throw new RangeError(`squad "${this.name}": group reward must be finite, got ${reward}`);
    this.pendingReward += reward;
  }

  /** Ends the episode for real (not bootstrapped); the next one begins at once. */
  endEpisode(): void {
    this.finishEpisode(true);
  }

  /** Stops the episode without it having ended (a time limit: bootstrapped); the next one begins at once. */
  interruptEpisode(): void {
    this.finishEpisode(false);
  }

  /** Makes the squad decide on its next step, whatever the decision period says. */
  requestDecision(): void {
    this.decisionDue = true;
  }

  /**
   * Switches mode; it takes effect at the next decision without restarting
   * the game. A partly recorded episode is handed to the trainer as
   * interrupted (bootstrapped).
   */
  setMode(mode: SquadMode): void {
    this.assertAlive();
    if (mode === this.modeValue) return;
    this.checkModeReady(mode);
    this.flushRecording();
    const from = this.modeValue;
    this.modeValue = mode;
    this.testingNow = false;
    this.recording = this.wantsRecording();
    this.activePolicy()?.resetEpisode();
    this.decisionDue = true;
    this.emit(SquadEvents.MODE_CHANGE, { squad: this.name, from, to: mode } satisfies ModeChangeEvent);
  }

  /**
   * Loads a policy for `greedy` mode (checked against the squad's sizes).
   * @throws PolicyError naming what does not fit.
   */
  setPolicy(policy: string | object | GreedyPolicy): void {
    const expect = { nAgents: this.agents.length || undefined, nActions: this.options.nActions, obsSize: this.obsSize > 0 ? this.obsSize : undefined, obsLayout: this.obsLayout() };
    const p = policy instanceof GreedyPolicy ? loadPolicy(policy.file, expect) : loadPolicy(policy, expect);
    this.policyValue = p;
    p.resetEpisode();
    this.emit(SquadEvents.POLICY_UPDATE, { squad: this.name, source: 'file' } satisfies PolicyUpdateEvent);
  }

  /**
   * Whether heuristic play is recorded for the trainer (the `recordHeuristic`
   * option, switched at run time), e.g. into a `DemoRecorder` while a person
   * plays. Takes effect at the next episode.
   * @example
   * ```ts
   * squad.setTrainer(recorder);
   * squad.setRecordHeuristic(true);
   * ```
   */
  setRecordHeuristic(on: boolean): void {
    this.recordHeuristicValue = on;
    if (on && this.modeValue === 'heuristic') this.checkModeReady('heuristic');
  }

  /** Whether heuristic play is recorded for the trainer. */
  get recordsHeuristic(): boolean {
    return this.recordHeuristicValue;
  }

  /** Uses `trainer` from now on (the game keeps ownership). */
  setTrainer(trainer: SquadTrainer): void {
    this.assertAlive();
    this.flushRecording();
    this.detachTrainer();
    this.attachTrainer(trainer);
  }

  /** Clears a stopping error and starts a fresh episode. */
  reset(): void {
    this.halted = null;
    this.builderActive = false;
    this.needsBegin = true;
  }

  /** @internal Called by the plugin once per scene step. */
  update(delta: number): void {
    const staged = this.staged;
    this.staged = null;
    if (this.halted || this.destroyed || this.agents.length === 0) return;
    try {
      if (staged === 'choose') return this.decideEnd();
      if (staged === 'done') return;
      if (staged === null) {
        if (this.advance(delta)) return this.decide();
      }
      if (this.options.repeatActions !== false) this.applyActions(false);
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * @internal Training arenas: runs this step's part of {@link Squad.update}
   * before the scene steps, up to the choice of actions, so the arenas can
   * choose for every copy with one batched forward. True when a decision is
   * staged: {@link Squad.stagedRows} are ready and {@link Squad.chooseStaged}
   * must follow before the scene steps. The step's own `update` then
   * applies the actions.
   */
  stageStep(delta: number, memory: ActingMemory): boolean {
    this.staged = null;
    if (this.halted || this.destroyed || this.agents.length === 0 || this.modeValue !== 'train') return false;
    this.arenaMemory = memory;
    this.staged = 'done';
    try {
      if (!this.advance(delta)) {
        this.staged = 'held';
        return false;
      }
      if (!this.decideBegin()) return false;
      this.staged = 'choose';
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  /** @internal The staged decision's inputs: observations `[N, O]`, masks `[N, A]` and previous actions (-1 at an episode's first step). */
  stagedRows(): { obs: Float32Array; avail: Uint8Array; lastActions: Int32Array; first: boolean } {
    return { obs: this.obs, avail: this.avail, lastActions: this.lastActions, first: this.step === 0 };
  }

  /** @internal Chooses the staged decision's actions from utilities `q` (`[N, A]` from `offset`). */
  chooseStaged(q: Float32Array, offset: number): void {
    const N = this.agents.length;
    const A = this.options.nActions;
    for (let i = 0; i < N * A; i++) this.q[i] = q[offset + i];
    this.qFrom = 'train';
    const mode = this.testingNow ? GREEDY : (this.ensureTrainer().explorationMode() as ActionMode);
    selectActions(this.q, this.avail, N, A, mode, this.rng, this.actions);
  }

  /** @internal Stops the squad with `err` (as a failing hook would). */
  halt(err: Error): void {
    this.fail(err);
  }

  /** @internal Training arenas: back to acting through the trainer's policy alone. */
  leaveArenas(): void {
    this.arenaMemory = null;
    this.staged = null;
    this.activePolicy()?.resetEpisode();
  }

  /** Starts an episode if due and counts the step; true when a decision is due now. */
  private advance(delta: number): boolean {
    if (this.needsBegin) this.beginEpisode();
    this.framesSince++;
    this.msSince += delta;
    const periodic = 'frames' in this.period ? this.framesSince >= this.period.frames : this.msSince >= this.period.ms;
    return this.decisionDue || periodic;
  }

  /** Releases listeners, the owned trainer and buffers. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.detachTrainer();
    for (const undo of this.cleanups) undo();
    this.cleanups.length = 0;
    this.agents.length = 0;
    this.builder = null;
    this.removeAllListeners();
  }

  // ---- episode flow ------------------------------------------------------

  private beginEpisode(): void {
    this.needsBegin = false;
    this.ensureArrays();
    this.step = 0;
    this.pendingReward = 0;
    this.teamReturn = 0;
    this.agentRewards.fill(0);
    this.lastActions.fill(this.noop);
    this.testingNow = this.testPending && this.modeValue === 'train';
    this.testPending = false;
    this.recording = this.wantsRecording() && !this.testingNow;
    this.builderActive = false;
    this.qFrom = null;
    // In arenas each copy keeps its own memory; the trainer's policy is shared.
    if (this.arenaMemory && this.modeValue === 'train') this.arenaMemory.hidden?.fill(0);
    else this.activePolicy()?.resetEpisode();
    for (const a of this.agents) if (a.alive) a.hooks.onEpisodeBegin?.(a);
    this.decisionDue = true;
  }

  private decide(): void {
    if (!this.decideBegin()) return;
    this.chooseActions();
    this.decideEnd();
  }

  /** Observes and records; false when that ended the episode (the step limit), so there is nothing to choose. */
  private decideBegin(): boolean {
    this.decisionDue = false;
    this.framesSince = 0;
    this.msSince = 'ms' in this.period ? Math.max(0, this.msSince - this.period.ms) : 0;
    this.observeAll();
    if (this.recording) {
      this.record(false, false);
      if (this.builder!.done) {
        this.closeEpisode(false);
        return false;
      }
    } else if (this.step >= this.maxSteps) {
      this.closeEpisode(false);
      return false;
    }
    this.teamReturn += this.pendingReward;
    this.pendingReward = 0;
    return true;
  }

  /** Applies the chosen actions and reports the decision. */
  private decideEnd(): void {
    this.applyActions(true);
    this.lastActions.set(this.actions);
    this.step++;
    this.emit(SquadEvents.DECISION, { squad: this.name, actions: this.actions, step: this.step - 1, mode: this.modeValue } satisfies DecisionEvent);
  }

  /** Appends the current observation to the record (the first one begins it). */
  private record(terminated: boolean, truncated: boolean): void {
    this.fixSpec();
    this.state.build(this.stateBuf);
    const view = { obs: this.obs, state: this.stateBuf, avail: this.avail };
    if (!this.builderActive) {
      this.builder!.begin(view);
      this.builderActive = true;
    } else {
      this.builder!.push(this.lastActions, { ...view, reward: this.pendingReward, terminated, truncated });
    }
  }

  private finishEpisode(terminated: boolean): void {
    this.assertAlive();
    if (this.halted) return;
    try {
      if (this.needsBegin || this.agents.length === 0) return;
      if (this.step === 0) {
        // Nothing was decided yet: there is no transition to end; just start over.
        this.beginEpisode();
        return;
      }
      this.observeAll();
      if (this.recording && this.builderActive) this.record(terminated, !terminated);
      this.closeEpisode(terminated);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Hands the record over (when recording), reports the episode and begins the next. */
  private closeEpisode(terminated: boolean): void {
    this.teamReturn += this.pendingReward;
    this.pendingReward = 0;
    const recorded = this.flushRecording();
    const event: EpisodeEndEvent = {
      squad: this.name,
      teamReturn: this.teamReturn,
      length: this.step,
      agentRewards: Array.from(this.agentRewards),
      terminated,
      mode: this.modeValue,
      recorded,
      test: this.testingNow,
    };
    this.beginEpisode();
    this.emit(SquadEvents.EPISODE_END, event);
  }

  /** Submits the record built so far, if it has a transition. */
  private flushRecording(): boolean {
    const active = this.builderActive && this.builder !== null && this.builder.length > 0;
    this.builderActive = false;
    if (!active) return false;
    const record = this.builder!.finish();
    this.ensureTrainer().submitEpisode(record);
    return true;
  }

  // ---- observation, masks, actions -------------------------------------

  private observeAll(): void {
    const A = this.options.nActions;
    if (this.obsSize < 0) this.inferObsSize();
    this.ensureArrays();
    const O = this.obsSize;
    for (const a of this.agents) {
      const base = a.index * O;
      if (!a.alive) {
        this.obs.fill(0, base, base + O);
        this.avail.fill(0, a.index * A, (a.index + 1) * A);
        this.avail[a.index * A + this.noop] = 1;
        continue;
      }
      if (this.sensorUses) this.writer.trace = this.sensorUses[a.index] = [];
      a.hooks.observe(this.writer.begin(this.obs, base, O), a);
      this.writer.trace = null;
      if (this.writer.written !== O) throw this.hookError(a, 'observe', `wrote ${this.writer.written} values, expected ${O}`);
      for (let k = base; k < base + O; k++) {
        if (!Number.isFinite(this.obs[k])) throw this.hookError(a, 'observe', `wrote ${this.obs[k]} at index ${k - base}`);
      }
      this.writeMask(a);
    }
  }

  private writeMask(a: SquadAgent): void {
    const A = this.options.nActions;
    const m = this.mask.begin(this.avail, a.index * A);
    const returned = a.hooks.mask?.(m, a);
    if (returned != null) {
      if (returned.length !== A) throw this.hookError(a, 'mask', `returned ${returned.length} values, expected ${A}`);
      for (let u = 0; u < A; u++) this.avail[a.index * A + u] = returned[u] ? 1 : 0;
    }
    let any = false;
    for (let u = 0; u < A; u++) any ||= this.avail[a.index * A + u] !== 0;
    if (!any) throw this.hookError(a, 'mask', 'left no action available');
  }

  private chooseActions(): void {
    const A = this.options.nActions;
    const N = this.agents.length;
    this.qFrom = this.modeValue === 'heuristic' ? null : this.modeValue;
    if (this.modeValue === 'greedy') {
      const policy = this.policyValue!;
      if (policy.nAgents !== N || policy.obsSize !== this.obsSize) {
        throw new Error(`squad "${this.name}": the policy was trained for ${policy.nAgents} agents with obs size ${policy.obsSize}, the squad has ${N} agents with obs size ${this.obsSize}`);
      }
      for (const a of this.agents) {
        const base = a.index * this.obsSize;
        this.actions[a.index] = a.alive ? policy.act(a.index, this.obs.subarray(base, base + this.obsSize), this.avail.subarray(a.index * A, (a.index + 1) * A)) : this.noop;
      }
    } else if (this.modeValue === 'train') {
      const trainer = this.ensureTrainer();
      trainer.policy.qValues(this.obs, this.step === 0 ? null : this.lastActions, this.q);
      selectActions(this.q, this.avail, N, A, this.testingNow ? GREEDY : (trainer.explorationMode() as ActionMode), this.rng, this.actions);
    } else {
      for (const a of this.agents) {
        if (!a.alive) {
          this.actions[a.index] = this.noop;
          continue;
        }
        const u = a.hooks.heuristic ? a.hooks.heuristic(a) : this.noop;
        if (!(Number.isInteger(u) && u >= 0 && u < A && this.avail[a.index * A + u] !== 0)) {
          throw this.hookError(a, 'heuristic', `returned ${u}, expected an available action in 0..${A - 1}`);
        }
        this.actions[a.index] = u;
      }
    }
  }

  private applyActions(fresh: boolean): void {
    const info = fresh ? FRESH : HELD;
    for (const a of this.agents) if (a.alive) a.hooks.act(this.actions[a.index], a, info);
  }

  // ---- sizes, trainer, errors -----------------------------------------

  /** The observation layout: the one given, or the one the sensors named at the first decision. */
  private obsLayout(): readonly ObsFeature[] | undefined {
    return this.options.obsLayout ?? this.inferredLayout ?? undefined;
  }

  private inferObsSize(): void {
    const first = this.agents.find((a) => a.alive);
    if (!first) throw new Error(`squad "${this.name}": no live agent to infer the observation size from`);
    first.hooks.observe(this.writer.begin(new Float32Array(0), 0, -1), first);
    this.obsSize = this.writer.written;
    if (this.obsSize === 0) throw this.hookError(first, 'observe', 'wrote no values');
    // Sensors name their values: without an obsLayout, theirs is the squad's, and a policy loaded before must fit it.
    if (!this.options.obsLayout) {
      this.inferredLayout = this.writer.layoutOf(this.obsSize);
      if (this.inferredLayout && this.policyValue) loadPolicy(this.policyValue.file, { obsSize: this.obsSize, obsLayout: this.inferredLayout });
    }
  }

  /** Fixes the env spec (agents, observation and state sizes) the first time it is needed. */
  private fixSpec(): void {
    if (this.spec !== null) return;
    const firstState = this.state.build(null)!;
    const spec: EnvSpec = {
      nAgents: this.agents.length,
      obsSize: this.obsSize,
      stateSize: firstState.length,
      nActions: this.options.nActions,
      episodeLimit: this.maxSteps,
      ...(this.obsLayout() ? { obsLayout: this.obsLayout() } : {}),
      ...(this.options.actionNames ? { actionNames: this.options.actionNames } : {}),
    };
    this.spec = validateSpec(spec);
    this.stateBuf = new Float32Array(this.spec.stateSize);
    this.builder = new EpisodeBuilder(this.spec);
  }

  private ensureArrays(): void {
    const N = this.agents.length;
    const A = this.options.nActions;
    if (this.actions.length === N && (this.obsSize < 0 || this.obs.length === N * this.obsSize)) return;
    if (this.obsSize > 0) this.obs = new Float32Array(N * this.obsSize);
    this.avail = new Uint8Array(N * A);
    this.q = new Float32Array(N * A);
    this.actions = new Int32Array(N).fill(this.noop);
    this.lastActions = new Int32Array(N).fill(this.noop);
    const rewards = new Float64Array(N);
    rewards.set(this.agentRewards.subarray(0, Math.min(N, this.agentRewards.length)));
    this.agentRewards = rewards;
  }

  private ensureTrainer(): SquadTrainer {
    if (this.trainerValue) return this.trainerValue;
    const t = this.options.trainer;
    if (typeof t !== 'function') throw new Error(`squad "${this.name}" has no trainer: pass options.trainer or call setTrainer()`);
    this.fixSpec();
    this.attachTrainer(t(this.spec!));
    return this.trainerValue!;
  }

  private attachTrainer(trainer: SquadTrainer): void {
    this.trainerValue = trainer;
    this.unsubscribe = trainer.onUpdate((info) =>
      this.emit(SquadEvents.POLICY_UPDATE, { squad: this.name, source: 'trainer', updates: info.updates, loss: info.loss } satisfies PolicyUpdateEvent),
    );
  }

  private detachTrainer(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.ownsTrainer) this.trainerValue?.dispose();
    this.trainerValue = null;
  }

  private wantsRecording(): boolean {
    return this.modeValue === 'train' || (this.modeValue === 'heuristic' && this.recordHeuristicValue);
  }

  private activePolicy(): { resetEpisode(): void } | null {
    if (this.modeValue === 'greedy') return this.policyValue;
    if (this.modeValue === 'train') return this.trainerValue?.policy ?? null;
    return null;
  }

  private checkModeReady(mode: SquadMode): void {
    if (mode !== 'train' && mode !== 'greedy' && mode !== 'heuristic') throw new Error(`squad "${this.name}": unknown mode ${JSON.stringify(mode)}: expected "train", "greedy" or "heuristic"`);
    if (mode === 'greedy' && this.policyValue === null) throw new Error(`squad "${this.name}" cannot play greedy without a policy: pass options.policy or call setPolicy()`);
    if ((mode === 'train' || (mode === 'heuristic' && this.recordHeuristicValue)) && this.options.trainer === undefined && this.trainerValue === null) {
      throw new Error(`squad "${this.name}" cannot ${mode === 'train' ? 'train' : 'record'} without a trainer: pass options.trainer or call setTrainer()`);
    }
  }

  private onDestroyed(agent: SquadAgent): void {
    // The slot stays: padded with zeros and held at the no-op action until reused.
    if (this.agents[agent.index] === agent) agent.gameObject = null;
  }

  private hookError(a: SquadAgent, hook: string, what: string): Error {
    return new Error(`squad "${this.name}" agent ${a.index}: hook ${hook} ${what}`);
  }

  private fail(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    this.halted = err;
    if (this.listenerCount(SquadEvents.ERROR) > 0) this.emit(SquadEvents.ERROR, err);
    else console.error(`[phaser-qmix] squad "${this.name}" stopped:`, err);
  }

  private assertAlive(): void {
    if (this.destroyed) throw new Error(`squad "${this.name}" was destroyed (its scene shut down)`);
  }
}

const FRESH = Object.freeze({ fresh: true });
const HELD = Object.freeze({ fresh: false });
