// Benchmark page: a demo-size scene (4 guards with arcade bodies chasing a
// scripted thief between walls) running in real time, with and without a
// squad training in a Web Worker. Measures the main thread's work per frame.
import * as Phaser from 'phaser';
import type { EnvSpec } from '../../../plugin/core/index.js';
import { QmixPlugin, type Squad } from '../../../plugin/phaser/index.js';
import { WorkerTrainer, type WorkerMetrics, type WorkerTrainerOptions } from '../../../plugin/worker/index.js';

const W = 640;
const H = 480;
const SPEED = 120;
type Body = Phaser.Physics.Arcade.Body;

interface RunResult {
  readonly frames: number;
  readonly stepMs: { p50: number; p95: number; p99: number };
  readonly intervalMs: { p50: number; p95: number; p99: number };
  readonly decisions: number;
  readonly metrics: WorkerMetrics | null;
  readonly clientLoad: number | null;
}

function percentiles(xs: number[]): { p50: number; p95: number; p99: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 1000) / 1000;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** Runs the scene for `seconds` of real time; `train` adds a worker-trained squad, `timeScale` fast-forwards. */
async function run(opts: { train: boolean; seconds: number; timeScale: number; updatesPerEpisode: number; maxLoad: number; adaptive: boolean }): Promise<RunResult> {
  let squad: Squad | null = null;
  let trainer: WorkerTrainer | null = null;
  let decisions = 0;
  let sceneRef: (Phaser.Scene & { qmix: QmixPlugin }) | null = null;
  class Chase extends Phaser.Scene {
    constructor() {
      super('chase');
    }
    create(): void {
      const qmix = (this as unknown as { qmix: QmixPlugin }).qmix;
      qmix.timeScale = 8; // warm-up collects episodes fast; the measurement uses opts.timeScale
      sceneRef = this as unknown as Phaser.Scene & { qmix: QmixPlugin };
      const walls = this.physics.add.staticGroup();
      for (let i = 0; i < 6; i++) walls.add(this.add.rectangle(100 + i * 90, 120 + (i % 2) * 200, 20, 140, 0x444444));
      const thief = this.add.rectangle(W / 2, H / 2, 14, 14, 0xffcc00);
      this.physics.add.existing(thief);
      (thief.body as Body).setCollideWorldBounds(true).setBounce(1, 1).setVelocity(140, 90);
      this.physics.add.collider(thief, walls);
      const guards = [0, 1, 2, 3].map((i) => {
        const g = this.add.rectangle(40 + (i % 2) * (W - 80), 40 + Math.floor(i / 2) * (H - 80), 14, 14, 0x3399ff);
        this.physics.add.existing(g);
        (g.body as Body).setCollideWorldBounds(true);
        this.physics.add.collider(g, walls);
        return g;
      });
      squad = qmix.addSquad('guards', {
        nActions: 5,
        decisionPeriod: { frames: 5 },
        maxSteps: 20,
        mode: opts.train ? 'train' : 'heuristic',
        trainer: (spec: EnvSpec) =>
          (trainer = new WorkerTrainer(spec, { bufferSize: 500, batchSize: 8 }, {
            createWorker: () => new Worker('/worker.js', { type: 'module' }) as unknown as ReturnType<WorkerTrainerOptions['createWorker']>,
            wasmPaths: '/wasm/',
            backend: 'wasm',
            autosaveEvery: 0,
            updatesPerEpisode: opts.updatesPerEpisode,
            maxLoad: opts.maxLoad,
            adaptiveLoad: opts.adaptive,
          })),
      });
      squad.addStateObject('thief', thief, ['x', 'y', 'vx', 'vy']);
      guards.forEach((g, i) =>
        squad!.addAgent(g, {
          observe: (o) => o.addVec2(g.x / W, g.y / H).addVec2((thief.x - g.x) / W, (thief.y - g.y) / H).addOneHot(i, 4),
          act: (a) => {
            const d = [[0, 0], [0, -1], [0, 1], [-1, 0], [1, 0]][a];
            (g.body as Body).setVelocity(d[0] * SPEED, d[1] * SPEED);
          },
          heuristic: () => (Math.abs(thief.x - g.x) > Math.abs(thief.y - g.y) ? (thief.x > g.x ? 4 : 3) : thief.y > g.y ? 2 : 1),
          onEpisodeBegin: () => {
            (g.body as Body).reset(40 + (i % 2) * (W - 80), 40 + Math.floor(i / 2) * (H - 80));
          },
        }),
      );
      squad.on('decision', () => decisions++);
      this.events.on('update', () => {
        for (const g of guards) {
          if (Phaser.Math.Distance.Between(g.x, g.y, thief.x, thief.y) < 16) {
            squad!.addGroupReward(1);
            squad!.endEpisode();
            (thief.body as Body).reset(W / 2, H / 2);
            (thief.body as Body).setVelocity(140, 90);
            break;
          }
        }
      });
    }
  }
  const game = new Phaser.Game({
    type: Phaser.CANVAS,
    width: W,
    height: H,
    banner: false,
    audio: { noAudio: true },
    physics: { default: 'arcade', arcade: { gravity: { x: 0, y: 0 } } },
    plugins: { scene: [{ key: 'QmixPlugin', plugin: QmixPlugin, mapping: 'qmix' }] },
    scene: [Chase],
  });
  const steps: number[] = [];
  const intervals: number[] = [];
  let lastStart = 0;
  await new Promise<void>((resolve) => game.events.once('ready', () => resolve()));
  // A frame's main-thread work: from the game's pre-step to the end of its render.
  let t0 = 0;
  game.events.on('prestep', () => {
    t0 = performance.now();
    if (lastStart > 0) intervals.push(t0 - lastStart);
    lastStart = t0;
  });
  game.events.on('postrender', () => steps.push(performance.now() - t0));
  // Warm up 4 s fast-forwarded (JIT, worker start, a first batch of episodes), then measure.
  await new Promise((r) => setTimeout(r, 4000));
  sceneRef!.qmix.timeScale = opts.timeScale;
  await new Promise((r) => setTimeout(r, 500));
  steps.length = 0;
  intervals.length = 0;
  decisions = 0;
  await new Promise((r) => setTimeout(r, opts.seconds * 1000));
  const result: RunResult = {
    frames: steps.length,
    stepMs: percentiles(steps),
    intervalMs: percentiles(intervals),
    decisions,
    metrics: (trainer as WorkerTrainer | null)?.metrics ?? null,
    clientLoad: (trainer as WorkerTrainer | null)?.maxLoad ?? null,
  };
  (trainer as WorkerTrainer | null)?.dispose();
  game.destroy(true);
  return result;
}

Object.assign(globalThis, { run, pageReady: true });
