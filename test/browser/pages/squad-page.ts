// Browser page for the scene-plugin tests: a real Phaser 4 game (canvas
// renderer, arcade physics) stepped by hand, with scenarios the Node side
// calls by name. Each scenario returns plain data for the test to check.
import * as Phaser from 'phaser';
import * as tf from '../../../plugin/learn/tf.js';
import { validateEpisode, type EnvSpec, type EpisodeRecord, type QPolicy, type SquadTrainer, type TrainerUpdateInfo } from '../../../plugin/core/index.js';
import { EpisodeTrainer, exportPolicy, QLearner } from '../../../plugin/learn/index.js';
import { loadPolicy } from '../../../plugin/runtime/index.js';
import { playAtFixedRate, QmixPlugin, SquadEvents, type EpisodeEndEvent, type Squad, type SquadAgent } from '../../../plugin/phaser/index.js';

const W = 320;
const H = 240;
const SPEED = 60;

/** Records what the squad hands over; acts by preferring one action. */
class FakeTrainer implements SquadTrainer {
  readonly episodes: EpisodeRecord[] = [];
  readonly listeners = new Set<(i: TrainerUpdateInfo) => void>();
  disposed = false;
  resets = 0;
  epsilon = 0;
  preferred = 2;
  /** Pacing: what allowance() says (Infinity: no limit). */
  allow = Infinity;
  allowance(): number {
    return this.allow;
  }
  constructor(readonly spec: EnvSpec) {}
  readonly policy: QPolicy = {
    resetEpisode: () => {
      this.resets++;
    },
    qValues: (_obs, _last, out) => {
      out.fill(0);
      for (let a = 0; a < this.spec.nAgents; a++) out[a * this.spec.nActions + this.preferred] = 1;
    },
  };
  submitEpisode(ep: EpisodeRecord): void {
    validateEpisode(this.spec, ep);
    this.episodes.push(ep);
    for (const l of this.listeners) l({ updates: this.episodes.length, episodes: this.episodes.length, envSteps: 0, loss: 0 });
  }
  explorationMode() {
    return { kind: 'epsilon-greedy' as const, epsilon: this.epsilon };
  }
  onUpdate(l: (i: TrainerUpdateInfo) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  dispose() {
    this.disposed = true;
  }
}

type Body = Phaser.Physics.Arcade.Body;
interface Arena {
  readonly scene: Phaser.Scene & { qmix: QmixPlugin };
  squad: Squad;
  readonly agents: Phaser.GameObjects.Rectangle[];
  readonly goal: Phaser.GameObjects.Rectangle;
  readonly acted: number[][];
  trainer: FakeTrainer | null;
  stateHookCalls: number;
}

interface ArenaOptions {
  readonly squad?: Partial<Parameters<QmixPlugin['addSquad']>[1]>;
  readonly obsSizeFor?: (agent: number) => number;
  readonly stateHook?: boolean;
}

let game: Phaser.Game | null = null;
let time = 0;

/** Steps the game by whole frames (update + render). */
function frames(n: number): void {
  for (let i = 0; i < n; i++) {
    time += 1000 / 60;
    game!.step(time, 1000 / 60);
  }
}

function newGame(scenes: Phaser.Types.Scenes.SceneType[]): Promise<Phaser.Game> {
  game?.destroy(true);
  time = 0;
  return new Promise((resolve) => {
    const g = new Phaser.Game({
      type: Phaser.CANVAS,
      width: W,
      height: H,
      banner: false,
      audio: { noAudio: true },
      physics: { default: 'arcade', arcade: { gravity: { x: 0, y: 0 } } },
      plugins: { scene: [{ key: 'QmixPlugin', plugin: QmixPlugin, mapping: 'qmix' }] },
      scene: scenes,
      callbacks: {
        postBoot: (booted) => {
          booted.loop.sleep(); // the tests step the game by hand
          resolve(booted);
        },
      },
    });
    game = g;
  });
}

/** Builds the arena in a fresh game: 3 agents with bodies, a goal, one squad. */
async function arena(opts: ArenaOptions = {}): Promise<Arena> {
  let made: Arena | null = null;
  class ArenaScene extends Phaser.Scene {
    constructor() {
      super('arena');
    }
    create(): void {
      const scene = this as unknown as Arena['scene'];
      const goal = this.add.rectangle(280, 200, 10, 10, 0x00ff00);
      const agents = [0, 1, 2].map((i) => {
        const r = this.add.rectangle(40 + 60 * i, 40 + 20 * i, 12, 12, 0xff0000);
        this.physics.add.existing(r);
        return r;
      });
      const out: Arena = { scene, squad: null as unknown as Squad, agents, goal, acted: [[], [], []], trainer: null, stateHookCalls: 0 };
      const squad = scene.qmix.addSquad('squad', {
        nActions: 5,
        decisionPeriod: { frames: 2 },
        trainer: (spec) => (out.trainer = new FakeTrainer(spec)),
        state: opts.stateHook
          ? {
              hook: (w) => {
                out.stateHookCalls++;
                w.add(1.5);
              },
            }
          : undefined,
        ...opts.squad,
      });
      squad.addStateObject('goal', goal);
      agents.forEach((r, i) =>
        squad.addAgent(r, {
          observe: (o) => {
            const n = opts.obsSizeFor?.(i) ?? 4;
            const values = [r.x / W, r.y / H, goal.x / W, goal.y / H];
            for (let k = 0; k < n; k++) o.add(values[k] ?? 0);
          },
          mask: (m) => {
            if (r.x < 30) m.disable(3); // no moving left at the left edge
          },
          act: (action, _agent, info) => {
            if (info.fresh) out.acted[i].push(action);
            const body = r.body as Body;
            const dir = [
              [0, 0],
              [0, -1],
              [0, 1],
              [-1, 0],
              [1, 0],
            ][action];
            body.setVelocity(dir[0] * SPEED, dir[1] * SPEED);
          },
          heuristic: () => 4, // always right
          onEpisodeBegin: () => {
            r.setPosition(40 + 60 * i, 40 + 20 * i);
            (r.body as Body).reset(40 + 60 * i, 40 + 20 * i);
          },
        }),
      );
      out.squad = squad;
      made = out;
    }
  }
  await newGame([ArenaScene]);
  frames(1); // the scene manager boots the scene on the first step
  if (!made) throw new Error('arena scene did not start');
  return made;
}

const arr = (a: ArrayLike<number>) => Array.from(a, (v) => Math.round(v * 1e5) / 1e5);

const scenarios = {
  /** Observation and state sizes and values of a recorded episode. */
  async sizes() {
    const a = await arena({ squad: { mode: 'heuristic', recordHeuristic: true } });
    frames(6); // decisions at frames 1, 3, 5 of the episode (period 2)
    a.squad.endEpisode();
    const ep = a.trainer!.episodes[0];
    return { spec: a.squad.envSpec, length: ep.length, terminated: ep.terminated, obs0: arr(ep.obs.subarray(0, 12)), state0: arr(ep.state.subarray(0, 18)), obsLast: arr(ep.obs.subarray(ep.length * 12, ep.length * 12 + 4)), stateLast: arr(ep.state.subarray(ep.length * 18, ep.length * 18 + 5)), actions: Array.from(ep.actions) };
  },

  /** Masks: an agent at the left edge cannot choose "left"; the heuristic picking it is a named error. */
  async masks() {
    const a = await arena({ squad: { mode: 'heuristic', recordHeuristic: true } });
    a.agents[0].setPosition(10, 100);
    (a.agents[0].body as Body).reset(10, 100);
    frames(2);
    a.squad.interruptEpisode();
    const ep = a.trainer!.episodes[0];
    const availLast = Array.from(ep.avail.subarray(ep.length * 15, ep.length * 15 + 15));
    // Make agent 1's heuristic pick a masked action.
    const b = await arena({ squad: { mode: 'heuristic' } });
    const errors: string[] = [];
    b.squad.on(SquadEvents.ERROR, (e: Error) => errors.push(e.message));
    b.agents[1].setPosition(5, 100);
    (b.agents[1].body as Body).reset(5, 100);
    (b.squad.agents[1] as SquadAgent).hooks.heuristic = () => 3;
    frames(3);
    return { availLast, errors, halted: b.squad.error?.message ?? null };
  },

  /** Rewards: per agent and group, summed per transition; terminal vs interrupted vs step limit. */
  async rewards() {
    const a = await arena({ squad: { mode: 'heuristic', recordHeuristic: true, maxSteps: 4 } });
    const ends: EpisodeEndEvent[] = [];
    a.squad.on(SquadEvents.EPISODE_END, (e: EpisodeEndEvent) => ends.push(e));
    frames(1); // decision 0
    a.squad.addReward(0, 1);
    a.squad.addReward(2, 0.5);
    frames(2); // decision 1
    a.squad.addGroupReward(2);
    frames(1);
    a.squad.endEpisode(); // terminal, after 2 decisions
    frames(1);
    a.squad.addReward(1, -1);
    a.squad.interruptEpisode(); // interrupted after 1 decision
    frames(12); // runs into the step limit of 4 decisions
    const eps = a.trainer!.episodes.map((e) => ({ length: e.length, terminated: e.terminated, rewards: arr(e.rewards) }));
    return { eps, ends: ends.map((e) => ({ teamReturn: e.teamReturn, length: e.length, agentRewards: e.agentRewards, terminated: e.terminated, recorded: e.recorded })) };
  },

  /** An agent destroyed mid-episode: padded, held at no-op, the episode goes on. */
  async removed() {
    const a = await arena({ squad: { mode: 'train', noopAction: 0 } });
    frames(3); // decisions 0 and 1
    const actedBefore = a.acted[1].length;
    a.agents[1].destroy();
    frames(4); // two more decisions
    a.agents[2].setActive(false); // deactivated counts as absent too
    frames(2);
    a.squad.endEpisode();
    const ep = a.trainer!.episodes[0];
    const N = 3;
    const O = 4;
    const A = 5;
    const last = ep.length; // final observation index
    return {
      length: ep.length,
      obsAgent1Last: arr(ep.obs.subarray((last * N + 1) * O, (last * N + 2) * O)),
      availAgent1Last: Array.from(ep.avail.subarray((last * N + 1) * A, (last * N + 2) * A)),
      actionsAgent1: Array.from({ length: ep.length }, (_, k) => ep.actions[k * N + 1]),
      actionsAgent2: Array.from({ length: ep.length }, (_, k) => ep.actions[k * N + 2]),
      actedBefore,
      actedAfter: a.acted[1].length,
      error: a.squad.error?.message ?? null,
      stateAgent1Last: arr(ep.state.subarray(last * 18 + 5, last * 18 + 10)),
    };
  },

  /** Mode switches at runtime: heuristic -> train -> greedy -> heuristic. */
  async modes() {
    await tf.setBackend('cpu');
    const a = await arena({ squad: { mode: 'heuristic' }, stateHook: true });
    const changes: string[] = [];
    const policies: string[] = [];
    a.squad.on(SquadEvents.MODE_CHANGE, (e: { from: string; to: string }) => changes.push(`${e.from}->${e.to}`));
    a.squad.on(SquadEvents.POLICY_UPDATE, (e: { source: string }) => policies.push(e.source));
    frames(3);
    const heuristicActions = a.acted.map((x) => x.at(-1));
    a.squad.setMode('train');
    frames(4);
    const trainActions = a.acted.map((x) => x.at(-1)); // fake policy prefers 2, epsilon 0
    // A policy for these sizes (obs 4, 5 actions, 3 agents), made with the tfjs learner.
    const learner = new QLearner({ nAgents: 3, obsSize: 4, stateSize: 19, nActions: 5, episodeLimit: 500 }, { hiddenDim: 8, seed: 3 });
    const policyJson = JSON.stringify(exportPolicy(learner));
    learner.dispose();
    a.squad.setPolicy(policyJson);
    const hookCallsBeforeGreedy = a.stateHookCalls;
    a.squad.setMode('greedy');
    // What the policy says for each agent's own observation at the next decision:
    const reference = loadPolicy(policyJson);
    reference.resetEpisode();
    const expected = a.agents.map((r, i) => reference.act(i, [r.x / W, r.y / H, a.goal.x / W, a.goal.y / H], r.x < 30 ? [1, 1, 1, 0, 1] : undefined));
    frames(1);
    const greedyActions = a.acted.map((x) => x.at(-1));
    frames(4);
    const hookCallsInGreedy = a.stateHookCalls - hookCallsBeforeGreedy;
    a.squad.setMode('heuristic');
    frames(2);
    let refused = '';
    try {
      a.squad.setPolicy(JSON.stringify({ ...JSON.parse(policyJson), checksum: 'cyrb53:00000000000000' }));
    } catch (e) {
      refused = (e as Error).message;
    }
    return { changes, policies, heuristicActions, trainActions, greedyActions, expected, hookCallsInGreedy, recorded: a.trainer?.episodes.length ?? 0, mode: a.squad.mode, refused };
  },

  /** Test episodes: greedy on the trainer's policy, not recorded, flagged; Q-values per agent. */
  async testEpisodes() {
    const a = await arena({ squad: { mode: 'train', maxSteps: 4 } }); // the first episode has begun
    const ends: { test: boolean; recorded: boolean }[] = [];
    a.squad.on(SquadEvents.EPISODE_END, (e: EpisodeEndEvent) => ends.push({ test: e.test, recorded: e.recorded }));
    a.trainer!.epsilon = 1; // training episodes act at random
    a.squad.testNextEpisode(); // the next one to begin is the test
    const q0 = Array.from(a.squad.qValues(0) ?? []);
    const testingInFirst = a.squad.testing;
    while (ends.length < 1) frames(1);
    const trainActions = a.acted.map((x) => x.slice());
    const recordedAfterTrain = a.trainer!.episodes.length;
    const acted = a.acted.map((x) => x.length);
    frames(1);
    const testingInSecond = a.squad.testing;
    while (ends.length < 2) frames(1);
    const testActions = a.acted.map((x, i) => x.slice(acted[i]));
    const recordedAfterTest = a.trainer!.episodes.length;
    a.squad.setMode('heuristic');
    frames(3);
    return { ends, testing: [testingInFirst, testingInSecond], testActions, trainActions, recordedAfterTrain, recordedAfterTest, q0, heuristicQ: a.squad.qValues(0) };
  },

  /** Fast-forward: scene steps and decisions per rendered frame, and physics keeping pace. */
  async fastForward() {
    const results: Record<string, unknown> = {};
    for (const scale of [1, 8]) {
      const a = await arena({ squad: { mode: 'heuristic', maxSteps: 10000 } });
      a.scene.qmix.timeScale = scale;
      let decisions = 0;
      a.squad.on(SquadEvents.DECISION, () => decisions++);
      const x0 = a.agents[0].x;
      const before = a.scene.qmix.stats;
      const t0 = performance.now();
      frames(30);
      const ms = performance.now() - t0;
      const after = a.scene.qmix.stats;
      results[`x${scale}`] = {
        sceneStepsPerFrame: (after.sceneSteps - before.sceneSteps) / (after.renderedFrames - before.renderedFrames),
        decisionsPerFrame: decisions / 30,
        moved: Math.round(a.agents[0].x - x0),
        msPerFrame: Math.round((ms / 30) * 100) / 100,
      };
    }
    return results;
  },

  /** Time-budget fast-forward: steps per frame under a budget, and pacing holding it back. */
  async timeBudget() {
    const a = await arena({ squad: { mode: 'train', maxSteps: 10000 } });
    const q = a.scene.qmix;
    q.timeBudgetMs = 4;
    frames(5);
    const budgeted = q.stats.stepsLastFrame;
    const t0 = performance.now();
    frames(1);
    const frameMs = performance.now() - t0;
    // The learner is behind: no extra steps, one per frame, and the paced frames counted.
    a.trainer!.allow = 0;
    const pacedBefore = q.stats.pacedFrames;
    const stepsBefore = q.stats.sceneSteps;
    frames(10);
    const pacedSteps = q.stats.sceneSteps - stepsBefore;
    const pacedFrames = q.stats.pacedFrames - pacedBefore;
    // Fixed scales back off the same way.
    q.timeBudgetMs = null;
    q.timeScale = 8;
    frames(3);
    const fixedPaced = q.stats.stepsLastFrame;
    a.trainer!.allow = Infinity;
    frames(3);
    const fixedFree = q.stats.stepsLastFrame;
    let refused = '';
    try {
      q.timeBudgetMs = -1;
    } catch (e) {
      refused = (e as Error).message;
    }
    return { budgeted, frameMs, pacedSteps, pacedFrames, fixedPaced, fixedFree, refused };
  },

  /**
   * The draw-rate cap: frames stepped through the game loop's own callback
   * (what requestAnimationFrame calls), counting draws and scene updates.
   */
  async renderCap() {
    const a = await arena({ squad: { mode: 'heuristic', maxSteps: 10000 } });
    const q = a.scene.qmix;
    const g = game as Phaser.Game & { loop: { callback(time: number, delta: number): void } };
    let draws = 0;
    let updates = 0;
    a.scene.events.on('render', () => draws++);
    a.scene.events.on('update', () => updates++);
    const loopFrames = (n: number) => {
      const before = { draws, updates, undrawn: q.stats.undrawnFrames };
      for (let i = 0; i < n; i++) {
        time += 1000 / 60;
        g.loop.callback(time, 1000 / 60);
      }
      return { draws: draws - before.draws, updates: updates - before.updates, undrawn: q.stats.undrawnFrames - before.undrawn };
    };
    q.timeScale = 2;
    q.renderFps = 10;
    const capped = loopFrames(60);
    q.timeScale = 1; // not fast-forwarding: the cap does not apply
    const realTime = loopFrames(12);
    q.timeBudgetMs = 2;
    q.renderFps = null; // fast-forwarding without a cap: every frame drawn
    const uncapped = loopFrames(12);
    q.renderFps = 20;
    const budgetCapped = loopFrames(60);
    let refused = '';
    try {
      q.renderFps = 0;
    } catch (e) {
      refused = (e as Error).message;
    }
    const during = g.loop.callback;
    a.scene.scene.stop();
    loopFrames(1); // the stop is queued to the next update
    const restored = g.loop.callback !== during;
    return { capped, realTime, uncapped, budgetCapped, refused, restored };
  },

  /**
   * A fixed real-time rate: two seconds of animation frames at 30, 60 and
   * 144 Hz (and late, uneven frames), counting scene updates and squad
   * decisions (every 2 scene steps); then fast-forward on top of it.
   */
  async fixedRate() {
    const out: Record<string, { updates: number; decisions: number; frames: number }> = {};
    const a = await arena({ squad: { mode: 'heuristic', maxSteps: 100000 } });
    const g = game as Phaser.Game & { loop: { callback(time: number, delta: number): void } };
    const stop = playAtFixedRate(g);
    g.loop.callback(time, 1000 / 60); // the wrapper goes in on the first step
    let updates = 0;
    let decisions = 0;
    a.scene.events.on('update', () => updates++);
    a.squad.on(SquadEvents.DECISION, () => decisions++);
    const play = (label: string, intervals: () => number, ms: number) => {
      const u = updates;
      const d = decisions;
      let frames = 0;
      for (let t = 0; t < ms; frames++) {
        const dt = intervals();
        t += dt;
        time += dt;
        g.loop.callback(time, dt);
      }
      out[label] = { updates: updates - u, decisions: decisions - d, frames };
    };
    play('hz30', () => 1000 / 30, 2000);
    play('hz60', () => 1000 / 60, 2000);
    play('hz144', () => 1000 / 144, 2000);
    let i = 0;
    play('uneven', () => (i++ % 3 === 0 ? 40 : 12), 2000); // a busy machine's frames
    play('slow', () => 200, 2000); // 5 fps: at most 4 steps a frame, so slower
    a.scene.qmix.timeScale = 8;
    play('fastForward60', () => 1000 / 60, 1000);
    a.scene.qmix.timeScale = 1;
    stop();
    play('stopped144', () => 1000 / 144, 1000);
    let refused = '';
    try {
      playAtFixedRate(g, { hz: 0 });
    } catch (e) {
      refused = (e as Error).message;
    }
    return { ...out, refused };
  },

  /** 100 restarts with a tfjs trainer: no listeners, squads or tensors left behind. */
  async restarts() {
    await tf.setBackend('cpu');
    game?.destroy(true);
    game = null;
    const baselineTensors = tf.memory().numTensors;
    const counts = () => {
      const ev = sceneRef!.sys.events;
      return { preupdate: ev.listenerCount('preupdate'), render: ev.listenerCount('render'), shutdown: ev.listenerCount('shutdown'), start: ev.listenerCount('start'), tensors: tf.memory().numTensors };
    };
    let sceneRef: (Phaser.Scene & { qmix: QmixPlugin }) | null = null;
    let trainersMade = 0;
    class Restarting extends Phaser.Scene {
      constructor() {
        super('restarting');
      }
      create(): void {
        sceneRef = this as unknown as typeof sceneRef;
        const squad = sceneRef!.qmix.addSquad('s', {
          nActions: 3,
          mode: 'train',
          decisionPeriod: { frames: 1 },
          maxSteps: 3,
          trainer: (spec) => {
            trainersMade++;
            return new EpisodeTrainer(spec, { hiddenDim: 8, mixingEmbedDim: 4, hypernetEmbed: 8, batchSize: 2, bufferSize: 10 });
          },
        });
        for (let i = 0; i < 2; i++) {
          const r = this.add.rectangle(10 + i * 20, 10, 4, 4);
          squad.addAgent(r, { observe: (o) => o.add(r.x / W).add(i), act: () => {} });
        }
      }
    }
    await newGame([Restarting]);
    frames(13); // train a few episodes so the trainer holds tensors
    const first = counts();
    for (let i = 0; i < 100; i++) {
      sceneRef!.scene.restart();
      frames(3);
    }
    const after = counts();
    sceneRef!.scene.stop();
    frames(1);
    const stopped = counts();
    return { baselineTensors, first, after, stopped, trainersMade, squads: sceneRef!.qmix.squads.length };
  },

  /** Installed at runtime through the plugin manager; two squads in one scene, each on its own clock and policy. */
  async several() {
    let sceneRef: (Phaser.Scene & { qmix2: QmixPlugin }) | null = null;
    class Plain extends Phaser.Scene {
      constructor() {
        super('plain');
      }
      create(): void {
        this.plugins.installScenePlugin('QmixRuntime', QmixPlugin, 'qmix2', this);
        sceneRef = this as unknown as typeof sceneRef;
      }
    }
    await newGame([Plain]);
    frames(1);
    const scene = sceneRef!;
    const a = scene.add.rectangle(10, 10, 4, 4);
    const b = scene.add.rectangle(50, 50, 4, 4);
    const fast = scene.qmix2.addSquad('fast', { nActions: 2, decisionPeriod: { frames: 1 } });
    const slow = scene.qmix2.addSquad('slow', { nActions: 3, decisionPeriod: { ms: 100 }, state: { hook: (w) => w.add(42), hookMode: 'replace' }, mode: 'heuristic', recordHeuristic: true, trainer: (spec) => new FakeTrainer(spec), maxSteps: 1000 });
    fast.addAgent(a, { observe: (o) => o.add(a.x), act: () => {}, heuristic: () => 1 });
    slow.addAgent(b, { observe: (o) => o.add(b.x).add(b.y), act: () => {}, heuristic: () => 2 });
    let fastDecisions = 0;
    let slowDecisions = 0;
    fast.on(SquadEvents.DECISION, () => fastDecisions++);
    slow.on(SquadEvents.DECISION, () => slowDecisions++);
    frames(30); // 500 ms of game time
    const beforeRequest = slowDecisions;
    slow.requestDecision();
    frames(1);
    const afterRequest = slowDecisions;
    slow.endEpisode();
    const ep = (slow.trainer as FakeTrainer).episodes[0];
    let duplicate = '';
    try {
      scene.qmix2.addSquad('fast', { nActions: 2 });
    } catch (e) {
      duplicate = (e as Error).message;
    }
    return { fastDecisions, slowDecisions: beforeRequest, afterRequest, squads: scene.qmix2.squads.map((s) => s.name), stateSize: slow.envSpec?.stateSize, state0: Array.from(ep.state.subarray(0, 1)), duplicate };
  },

  /** Hooks that write the wrong size: a named error event, the game keeps running. */
  async wrongSize() {
    let bad = false;
    const a = await arena({ squad: { mode: 'heuristic' }, obsSizeFor: (i) => (bad && i === 1 ? 3 : 4) });
    const errors: string[] = [];
    a.squad.on(SquadEvents.ERROR, (e: Error) => errors.push(e.message));
    frames(3);
    bad = true;
    frames(3);
    frames(3); // halted: no more errors, no exceptions out of the game loop
    // The state hook too.
    let stateValues = 1;
    const b = await arena({ squad: { mode: 'train', state: { hook: (w) => { for (let k = 0; k < stateValues; k++) w.add(k); } } } });
    b.squad.on(SquadEvents.ERROR, (e: Error) => errors.push(e.message));
    frames(3);
    stateValues = 2;
    frames(3);
    // A declared obs size checked from the first decision.
    // (It fails on the very first step, before a listener could be attached: the squad keeps the error.)
    const c = await arena({ squad: { mode: 'heuristic', obsSize: 5 } });
    frames(2);
    errors.push(c.squad.error?.message ?? 'no error');
    return { errors, stillRunning: game!.isRunning };
  },
};

Object.assign(globalThis, { scenarios, pageReady: true });
