// Two NPCs on a line must both stand on the flag at once (a team reward only
// then): a minimal cooperative squad that trains in the prebuilt worker and
// then plays greedily. Plain script, no bundler: Phaser and PhaserQmix are globals.
const { QmixPlugin, WorkerTrainer, SquadEvents } = PhaserQmix;
const CELLS = 7;
const WORKER = '../../dist/browser/phaser-qmix-worker.js'; // the .wasm files lie beside it

class Line extends Phaser.Scene {
  create() {
    const cell = 48;
    this.flag = 3;
    const flag = this.add.rectangle(40 + this.flag * cell, 60, cell - 6, cell - 6, 0xf0c040);
    this.npcs = [0, 1].map((i) => Object.assign(this.add.rectangle(0, 40 + i * 40, 20, 20, i ? 0x60a0ff : 0xff7060), { cellX: 0 }));
    const place = (npc) => npc.setPosition(40 + npc.cellX * cell, npc.y);
    this.squad = this.qmix.addSquad('pair', {
      nActions: 3, // stay, left, right
      decisionPeriod: { frames: 1 },
      maxSteps: 20,
      mode: 'train',
      trainer: (spec) =>
        new WorkerTrainer(spec, { batchSize: 8, bufferSize: 200, epsilonAnnealTime: 2000 }, {
          createWorker: () => new Worker(WORKER),
          backend: 'wasm',
          metricsEveryMs: 250,
        }),
    });
    for (const npc of this.npcs) {
      this.squad.addAgent(npc, {
        observe: (obs) => obs.add(npc.cellX / (CELLS - 1)).add(this.flag / (CELLS - 1)),
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
    this.returns = [];
    this.squad.on(SquadEvents.EPISODE_END, (e) => this.returns.push(e.teamReturn));
  }

  update() {
    if (this.npcs.every((n) => n.cellX === this.flag)) {
      this.squad.addGroupReward(1);
      this.squad.endEpisode();
    }
    const t = this.squad.trainer;
    const status = `mode ${this.squad.mode} · ${t?.metrics?.updates ?? 0} updates · ${this.returns.length} episodes`;
    document.getElementById('status').textContent = status;
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
window.example = {
  scene: () => game.scene.getScene('Line') ?? game.scene.scenes[0],
  async ship() {
    const scene = window.example.scene();
    const policy = await scene.squad.trainer.exportPolicy();
    scene.squad.setPolicy(JSON.stringify(policy));
    scene.squad.setMode('greedy');
    return policy.format;
  },
};
