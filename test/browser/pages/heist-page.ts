// Browser page for the demo-game scene test: the real Carrot Heist scenes,
// with a scripted rabbit and the squad switched to training on a recorder,
// so the test can check that what the plugin builds from the scene (state
// from sprites, observations from hooks) is what the headless env computes.
import * as Phaser from 'phaser';
import { validateEpisode, type EnvSpec, type EpisodeRecord, type QPolicy, type SquadTrainer, type TrainerUpdateInfo } from '../../../plugin/core/index.js';
import { QmixPlugin, SquadEvents } from '../../../plugin/phaser/index.js';
import { HEIGHT, WIDTH } from '../../../demo-game/config.js';
import { BootScene } from '../../../demo-game/scenes/boot.js';
import { OverlayScene } from '../../../demo-game/scenes/overlay.js';
import { PlayScene } from '../../../demo-game/scenes/play.js';
import { TitleScene } from '../../../demo-game/scenes/title.js';
import { guardObsSize, stateSize } from '../../../demo-game/rules/world.js';

/** Records episodes; acts on random Q-values (with some exploration on top). */
class Recorder implements SquadTrainer {
  readonly episodes: EpisodeRecord[] = [];
  /** Calls of the one-squad forward, and of the batched one with how many copies each. */
  readonly calls = { single: 0, many: [] as number[] };
  constructor(readonly spec: EnvSpec) {}
  readonly policy: QPolicy = {
    resetEpisode: () => {},
    qValues: (_obs, _last, out) => {
      this.calls.single++;
      for (let i = 0; i < out.length; i++) out[i] = Math.random();
    },
    qValuesMany: (memories, _obs, _last, out) => {
      this.calls.many.push(memories.length);
      for (let i = 0; i < out.length; i++) out[i] = Math.random();
    },
  };
  submitEpisode(ep: EpisodeRecord): void {
    validateEpisode(this.spec, ep);
    this.episodes.push(ep);
  }
  explorationMode() {
    return { kind: 'epsilon-greedy' as const, epsilon: 0.2 };
  }
  onUpdate(_l: (i: TrainerUpdateInfo) => void) {
    return () => {};
  }
  dispose() {}
}

const until = async (check: () => boolean, what: string): Promise<void> => {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Starts the demo's play scene (scripted rabbit) on a hand-stepped game; returns the game, the scene and a step function. */
async function startPlay(): Promise<{ game: Phaser.Game; play: PlayScene; step: () => void }> {
  const game = new Phaser.Game({
    type: Phaser.CANVAS,
    width: WIDTH,
    height: HEIGHT,
    banner: false,
    audio: { noAudio: true },
    plugins: { scene: [{ key: 'QmixPlugin', plugin: QmixPlugin, mapping: 'qmix' }] },
    scene: [BootScene, TitleScene, PlayScene, OverlayScene],
  });
  await until(() => game.scene.isActive('title'), 'the title screen');
  game.scene.stop('title');
  game.scene.start('play', { rabbit: 'flee' });
  await until(() => game.scene.isActive('play'), 'the play scene');
  game.loop.sleep(); // stepped by hand from here
  let time = performance.now();
  const step = (): void => {
    time += 1000 / 60;
    game.step(time, 1000 / 60);
  };
  step();
  return { game, play: game.scene.getScene('play') as PlayScene, step };
}

/** Rules snapshots per episode of one squad, taken at each decision and at the episode's end. */
function snapshotsOf(play: PlayScene, spec: EnvSpec): { state: Float32Array; obs: Float32Array }[][] {
  const n = spec.nAgents;
  const snapshots: { state: Float32Array; obs: Float32Array }[][] = [[]];
  const snap = (): void => {
    const state = new Float32Array(spec.stateSize);
    const obs = new Float32Array(n * spec.obsSize);
    play.rules.writeState(state);
    for (let i = 0; i < n; i++) play.rules.writeGuardObs(i, obs, i * spec.obsSize);
    snapshots[snapshots.length - 1].push({ state, obs });
  };
  play.squad.on(SquadEvents.DECISION, snap);
  play.squad.on(SquadEvents.EPISODE_END, () => {
    snap();
    snapshots.push([]);
  });
  return snapshots;
}

/** Largest differences between recorded episodes and the rules' snapshots (episode 0 skipped: it may predate training). */
function compare(spec: EnvSpec, episodes: readonly EpisodeRecord[], snapshots: { state: Float32Array; obs: Float32Array }[][]) {
  let maxStateDiff = 0;
  let maxObsDiff = 0;
  const lengths: number[] = [];
  for (let e = 1; e < episodes.length; e++) {
    const ep = episodes[e];
    const snaps = snapshots[e];
    if (snaps.length !== ep.length + 1) throw new Error(`episode ${e}: ${snaps.length} snapshots for ${ep.length + 1} recorded rows`);
    lengths.push(ep.length);
    for (let t = 0; t <= ep.length; t++) {
      for (let k = 0; k < spec.stateSize; k++) maxStateDiff = Math.max(maxStateDiff, Math.abs(ep.state[t * spec.stateSize + k] - snaps[t].state[k]));
      const O = spec.nAgents * spec.obsSize;
      for (let k = 0; k < O; k++) maxObsDiff = Math.max(maxObsDiff, Math.abs(ep.obs[t * O + k] - snaps[t].obs[k]));
    }
  }
  return { maxStateDiff, maxObsDiff, lengths };
}

const scenarios = {
  /** Plays whole rounds in train mode; compares each recorded row with the rules at that moment. */
  async sceneMatchesRules() {
    const { game, play, step } = await startPlay();
    const n = 3;
    const spec: EnvSpec = { nAgents: n, obsSize: guardObsSize(n), stateSize: stateSize(n), nActions: 5, episodeLimit: play.rules.episodeLimit };
    const rec = new Recorder(spec);
    play.squad.setTrainer(rec);
    play.squad.setMode('train');
    // What the rules say at each decision and at each episode's end.
    const snapshots = snapshotsOf(play, spec);
    while (rec.episodes.length < 4) step();
    const { maxStateDiff, maxObsDiff, lengths } = compare(spec, rec.episodes, snapshots);
    const terminated = rec.episodes.slice(1).map((ep) => ep.terminated);
    game.destroy(true);
    return { episodes: rec.episodes.length, lengths, terminated, maxStateDiff, maxObsDiff };
  },

  /**
   * Four arenas (the shown scene and three copies) train into one recorder:
   * every copy's episodes equal its own rules, row by row; decisions go
   * through the batched forward only; the copies are not drawn.
   */
  async arenasMatchRules() {
    const { game, play, step } = await startPlay();
    const n = 3;
    const spec: EnvSpec = { nAgents: n, obsSize: guardObsSize(n), stateSize: stateSize(n), nActions: 5, episodeLimit: play.rules.episodeLimit };
    const rec = new Recorder(spec);
    play.squad.setTrainer(rec);
    play.squad.setMode('train');
    const arenas = play.qmix.startArenas(4);
    await until(() => {
      step();
      return arenas.started === 3;
    }, 'the arena copies');
    const copies = arenas.scenes as PlayScene[];
    const all = [play, ...copies];
    // Each arena's own episodes: the recorder's latest when that squad reports a recorded end.
    const episodes = all.map(() => [] as EpisodeRecord[]);
    const snapshots = all.map((p) => snapshotsOf(p, spec));
    all.forEach((p, k) =>
      p.squad.on(SquadEvents.EPISODE_END, (e: { recorded: boolean }) => {
        if (e.recorded) episodes[k].push(rec.episodes[rec.episodes.length - 1]);
        else episodes[k].push(null as unknown as EpisodeRecord);
      }),
    );
    // Decisions per scene step, over all arenas (to count what one forward per step would be).
    let decisions = 0;
    let stepsWithDecisions = 0;
    let decidedThisStep = 0;
    for (const p of all) p.squad.on(SquadEvents.DECISION, () => decidedThisStep++);
    const singleBefore = rec.calls.single;
    const manyBefore = rec.calls.many.length;
    let steps = 0;
    while (episodes.some((e) => e.length < 4)) {
      decidedThisStep = 0;
      step();
      steps++;
      decisions += decidedThisStep;
      if (decidedThisStep > 0) stepsWithDecisions++;
      if (steps > 20000) throw new Error('arenas did not finish 4 episodes each');
    }
    const diffs = all.map((_p, k) => compare(spec, episodes[k].map((e) => e ?? { length: -1 } as EpisodeRecord), snapshots[k]));
    const many = rec.calls.many.slice(manyBefore);
    const result = {
      arenas: all.length,
      steps,
      decisions,
      stepsWithDecisions,
      singleForwards: rec.calls.single - singleBefore,
      batchedForwards: many.length,
      rowsInBatches: many.reduce((a, b) => a + b, 0),
      maxCopiesInOneForward: Math.max(...many),
      diffs,
      // A fingerprint of each arena's second episode (its states over time).
      firstStates: episodes.map((e) => `${e[1].length}:${e[1].state.reduce((a, b) => a + b, 0).toFixed(4)}`),
      copiesAsleep: copies.every((c) => c.sys.settings.status === Phaser.Scenes.SLEEPING && !c.sys.settings.visible),
      copyArenaIndices: copies.map((c) => c.qmix.arena),
      statsOfShownScene: (globalThis as { carrotHeist?: unknown }).carrotHeist === (play as unknown as { stats: unknown }).stats,
    };
    play.qmix.stopArenas();
    const gone = copies.every((c) => game.scene.getScene(c.sys.settings.key) === null);
    game.destroy(true);
    return { ...result, gone };
  },
};

(globalThis as { scenarios?: unknown }).scenarios = scenarios;
(globalThis as { pageReady?: boolean }).pageReady = true;
