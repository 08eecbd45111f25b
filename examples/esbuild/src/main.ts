// Two NPCs on a line must both stand on the flag at once (a team reward only
// then): a minimal cooperative squad that trains in a worker, then plays
// greedily. Built with esbuild (build.mjs: two bundles and the .wasm files).
import * as Phaser from 'phaser';
import { QmixPlugin, SquadEvents, type Squad } from 'phaser-qmix/phaser';
import { WorkerTrainer } from 'phaser-qmix/worker';

const CELLS = 7;
type Npc = Phaser.GameObjects.Rectangle & { cellX: number };

class Line extends Phaser.Scene {
  declare qmix: QmixPlugin;
  squad!: Squad;
  npcs: Npc[] = [];
  returns: number[] = [];
  flag = 3;

  create(): void {
    const cell = 48;
    const flag = this.add.rectangle(40 + this.flag * cell, 60, cell - 6, cell - 6, 0xf0c040);
    this.npcs = [0, 1].map((i) => Object.assign(this.add.rectangle(0, 40 + i * 40, 20, 20, i ? 0x60a0ff : 0xff7060), { cellX: 0 }));
    const place = (npc: Npc): void => void npc.setPosition(40 + npc.cellX * cell, npc.y);
    this.squad = this.qmix.addSquad('pair', {
      nActions: 3, // stay, left, right
      decisionPeriod: { frames: 1 },
      maxSteps: 20,
      mode: 'train',
      trainer: (spec) =>
        new WorkerTrainer(spec, { batchSize: 8, bufferSize: 200, epsilonAnnealTime: 2000 }, {
          // The worker is its own bundle (build.mjs), served beside this one.
          createWorker: () => new Worker('./qmix-worker.js', { type: 'module' }),
          wasmPaths: './wasm/', // build.mjs copies the three .wasm files here
          backend: 'wasm',
          metricsEveryMs: 250,
        }),
    });
    for (const npc of this.npcs) {
      this.squad.addAgent(npc, {
        observe: (obs) => void obs.add(npc.cellX / (CELLS - 1)).add(this.flag / (CELLS - 1)),
        mask: (m) => {
          if (npc.cellX === 0) m.disable(1);
          if (npc.cellX === CELLS - 1) m.disable(2);
        },
        act: (action, _agent, { fresh }) => {
          if (!fresh) return;
          npc.cellX += action === 1 ? -1 : action === 2 ? 1 : 0;
          place(npc);
        },
        onEpisodeBegin: () => {
          npc.cellX = Math.floor(Math.random() * CELLS);
          place(npc);
        },
      });
    }
    this.squad.addStateObject('flag', flag);
    this.squad.on(SquadEvents.EPISODE_END, (e: { teamReturn: number }) => this.returns.push(e.teamReturn));
  }

  update(): void {
    if (this.npcs.every((n) => n.cellX === this.flag)) {
      this.squad.addGroupReward(1);
      this.squad.endEpisode();
    }
    const metrics = (this.squad.trainer as WorkerTrainer | null)?.metrics;
    document.getElementById('status')!.textContent = `mode ${this.squad.mode} · ${metrics?.updates ?? 0} updates · ${this.returns.length} episodes`;
  }
}

const game = new Phaser.Game({
  type: Phaser.CANVAS,
  width: 420,
  height: 120,
  backgroundColor: '#2d4a2d',
  plugins: { scene: [{ key: 'QmixPlugin', plugin: QmixPlugin, mapping: 'qmix' }] },
  scene: [Line],
});

// For the test (and the curious): ship the trained squad, greedy, with no trainer.
const scene = (): Line => game.scene.scenes[0] as Line;
Object.assign(window, {
  example: {
    scene,
    async ship(): Promise<string> {
      const policy = await (scene().squad.trainer as WorkerTrainer).exportPolicy();
      scene().squad.setPolicy(JSON.stringify(policy));
      scene().squad.setMode('greedy');
      return policy.format;
    },
  },
});
