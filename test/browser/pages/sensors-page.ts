// Browser page for the sensor tests: a real Phaser 4 scene (arcade bodies,
// a static group, a physics group with a circle body, a tilemap layer with
// colliding tiles) and the ready-made sensors reading it. Known answers are
// in test/browser/sensors.test.ts.
import * as Phaser from 'phaser';
import { GridSensor, NearestSensor, ObservationWriter, QmixPlugin, RaySensor, SquadEvents, type Sensor, type SensorOrigin } from '../../../plugin/phaser/index.js';
import { SensorView } from '../../../plugin/editor/sensor-view.js';

interface World {
  scene: Phaser.Scene & { qmix: QmixPlugin };
  agent: Phaser.GameObjects.Rectangle;
  walls: Phaser.Physics.Arcade.StaticGroup;
  enemies: Phaser.Physics.Arcade.Group;
  layer: Phaser.Tilemaps.TilemapLayer;
}

let game: Phaser.Game | null = null;

function world(): Promise<World> {
  game?.destroy(true);
  return new Promise((resolve) => {
    class SensorScene extends Phaser.Scene {
      constructor() {
        super('sensors');
      }
      create(): void {
        this.physics.world.pause(); // bodies stay where the test put them
        const g = this.add.graphics();
        g.fillStyle(0x888888).fillRect(0, 0, 16, 16);
        g.generateTexture('tile', 16, 16);
        g.destroy();
        // 20 x 15 tiles of 16 px; tile (2, 6) collides: x 32..48, y 96..112.
        const data = Array.from({ length: 15 }, (_, y) => Array.from({ length: 20 }, (_, x) => (x === 2 && y === 6 ? 1 : 0)));
        const map = this.make.tilemap({ data, tileWidth: 16, tileHeight: 16 });
        const tiles = map.addTilesetImage('tile', 'tile', 16, 16, 0, 0, 1)!;
        const layer = map.createLayer(0, tiles, 0, 0) as Phaser.Tilemaps.TilemapLayer;
        layer.setCollision(1);
        const agent = this.add.rectangle(100, 100, 10, 10, 0xff0000);
        this.physics.add.existing(agent);
        const walls = this.physics.add.staticGroup();
        walls.add(this.add.rectangle(160, 100, 20, 40, 0x0000ff)); // body x 150..170
        const enemies = this.physics.add.group();
        const e = this.add.circle(100, 40, 10, 0x00ff00); // circle body centre (100, 40), radius 10
        enemies.add(e);
        (e.body as Phaser.Physics.Arcade.Body).setCircle(10);
        (e.body as Phaser.Physics.Arcade.Body).setVelocity(30, -15);
        const far = this.add.circle(300, 200, 10, 0x00ff00);
        enemies.add(far);
        (far.body as Phaser.Physics.Arcade.Body).setCircle(10);
        resolve({ scene: this as unknown as World['scene'], agent, walls, enemies, layer });
      }
    }
    game = new Phaser.Game({
      type: Phaser.CANVAS,
      width: 320,
      height: 240,
      banner: false,
      audio: { noAudio: true },
      physics: { default: 'arcade', arcade: { gravity: { x: 0, y: 0 } } },
      plugins: { scene: [{ key: 'QmixPlugin', plugin: QmixPlugin, mapping: 'qmix' }] },
      scene: [SensorScene],
      callbacks: { postBoot: (booted) => booted.loop.sleep() },
    });
    // The scene starts on the first step.
    game.events.once('ready', () => game!.step(16, 16));
  });
}

function read(s: Sensor, from: SensorOrigin): number[] {
  const out = new Float32Array(s.size);
  s.write(new ObservationWriter().begin(out, 0, s.size), from);
  return Array.from(out, (v) => Math.round(v * 1e5) / 1e5);
}

const scenarios = {
  /** Four rays all round from the agent: a static wall east, a tile west, a circle body north, nothing south. */
  async rays() {
    const w = await world();
    const rays = new RaySensor({
      rays: 4,
      maxLength: 100,
      targets: [
        { tag: 'wall', objects: w.walls },
        { tag: 'tile', layer: w.layer },
        { tag: 'enemy', objects: w.enemies },
        { tag: 'self', objects: [w.agent] },
      ],
    });
    const v = read(rays, w.agent);
    // Disabled bodies are not seen.
    (w.walls.getChildren()[0].body as Phaser.Physics.Arcade.StaticBody).enable = false;
    const noWall = read(rays, w.agent);
    return { v, noWall, size: rays.size };
  },

  /** A 5 x 5 grid on the tile layer around the agent, and the nearest two enemies with velocities. */
  async gridAndNearest() {
    const w = await world();
    w.agent.setPosition(40, 120); // tile (2, 7): the colliding tile (2, 6) is just above
    (w.agent.body as Phaser.Physics.Arcade.Body).reset(40, 120);
    const grid = new GridSensor({ size: 5, cells: { layer: w.layer }, targets: [{ tag: 'tile', layer: w.layer }, { tag: 'enemy', objects: w.enemies }] });
    const g = read(grid, w.agent);
    const nearest = new NearestSensor({ count: 3, objects: w.enemies, scale: 100, velocity: true, velocityScale: 10 });
    const n = read(nearest, w.agent);
    return { g, n };
  },

  /** A squad of one agent observing through sensors: its layout is theirs. */
  async layout() {
    const w = await world();
    const rays = new RaySensor({ rays: 2, maxLength: 50, targets: [{ tag: 'wall', objects: w.walls }] });
    const nearest = new NearestSensor({ count: 1, objects: w.enemies, scale: 100 });
    const squad = w.scene.qmix.addSquad('s', { nActions: 3 });
    squad.addAgent(w.agent, { observe: (obs, a) => obs.sensor(rays, a.gameObject!).sensor(nearest, a.gameObject!), act: () => {} });
    const spec = squad.resolveSpec();
    return { obsSize: spec.obsSize, layout: spec.obsLayout?.map((f) => `${f.name}:${f.size}`) };
  },

  /** The editor's sensor view over the game canvas: a ray's hit drawn in its tag's colour where the wall is, a miss in grey, the grid's cells. */
  async view() {
    const w = await world();
    const rays = new RaySensor({ rays: 4, maxLength: 100, targets: [{ tag: 'wall', objects: w.walls }, { tag: 'enemy', objects: w.enemies }] });
    const grid = new GridSensor({ size: 3, cells: { pixels: 20 }, targets: [{ tag: 'enemy', objects: w.enemies }] });
    const squad = w.scene.qmix.addSquad('s', { nActions: 2, decisionPeriod: { frames: 1 } });
    squad.addAgent(w.agent, { observe: (obs, a) => obs.sensor(rays, a.gameObject!).sensor(grid, a.gameObject!), act: () => {}, heuristic: () => 0 });
    const panel = document.createElement('div');
    document.body.appendChild(panel);
    const view = new SensorView(squad, panel, { canvas: game!.canvas, width: 320, height: 240 });
    squad.on(SquadEvents.DECISION, () => view.decided()); // what the editor's inspector does
    let t = 16;
    const step = () => game!.step((t += 16), 16);
    step();
    const before = squad.sensorsUsed(0).length; // not traced while the view is off
    const offered = view.offered;
    // A squad that reads no sensor gets no toggle.
    const plain = w.scene.qmix.addSquad('plain', { nActions: 2, decisionPeriod: { frames: 1 } });
    plain.addAgent(w.scene.add.rectangle(200, 200, 10, 10, 0xffffff), { observe: (obs) => obs.addMany([1]), act: () => {}, heuristic: () => 0 });
    const plainPanel = document.createElement('div');
    const plainView = new SensorView(plain, plainPanel, { canvas: game!.canvas, width: 320, height: 240 });
    plain.on(SquadEvents.DECISION, () => plainView.decided());
    view.toggle.checked = true;
    view.toggle.dispatchEvent(new Event('change'));
    step();
    step();
    const layer = document.querySelector('canvas.pq-sensor-layer') as HTMLCanvasElement;
    const ctx = layer.getContext('2d')!;
    const sx = layer.width / 320;
    const sy = layer.height / 240;
    const px = (x: number, y: number) => Array.from(ctx.getImageData(Math.round(x * sx), Math.round(y * sy), 1, 1).data);
    const alphaNear = (x: number, y: number) => Math.max(...[-1, 0, 1].map((d) => px(x + d, y)[3]));
    const out = {
      before,
      offered,
      plainOffered: plainView.offered,
      plainTraced: plain.sensorsUsed(0).length,
      used: squad.sensorsUsed(0).map((u) => u.sensor.constructor.name),
      hit: px(150, 100), // the east ray's end on the wall: the wall's colour
      south: alphaNear(100, 160), // the south ray misses: a grey line
      empty: px(250, 30)[3], // nowhere near a sensor
    };
    view.toggle.checked = false;
    view.toggle.dispatchEvent(new Event('change'));
    step();
    return { ...out, removed: document.querySelector('canvas.pq-sensor-layer') === null, tracedAfter: squad.sensorsUsed(0).length };
  },
};

Object.assign(globalThis, { scenarios, pageReady: true });
