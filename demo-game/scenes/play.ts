/**
 * One round after another of Carrot Heist: the player's rabbit against the
 * gardener squad. The rules (HeistWorld) decide everything; this scene only
 * feeds them the player's input and the squad's moves once per tick, and
 * draws the result, sliding each sprite from cell to cell between ticks.
 */
import * as Phaser from 'phaser';
import type { QmixPlugin } from '../../plugin/phaser/index.js';
import { cellCentre, GARDENER_TINTS, HUD, MAZE, MAZE_BOUNDS, TICK_FRAMES, TILE, WIDTH } from '../config.js';
import { addGardenerSquad, type GardenerSquad } from '../squad.js';
import { GameSound } from '../sound.js';
import { DIFFICULTIES, parseDifficulty, weakenMove } from '../difficulty.js';
import { HeistWorld } from '../rules/world.js';
import { RABBITS, type RabbitPolicy } from '../rules/opponents.js';
import type { OverlayData } from './overlay.js';

/** Counters the browser test (and the curious) can read at `window.carrotHeist`. */
export interface PlayStats {
  ticks: number;
  decisions: number;
  rounds: number;
  caught: number;
  escaped: number;
  carrots: number;
  mode: string;
  /** Total path steps walked by the gardeners. */
  gardenerSteps: number;
}

/** How a round is played: who moves the rabbit, and what follows a round. */
export interface PlayOptions {
  /** `player` (keyboard, pointer) or a scripted rabbit by name (training, attract mode). Default `player`. */
  readonly rabbit?: 'player' | keyof typeof RABBITS;
  /** Start the next round at once instead of showing the result screen. Default: only for a scripted rabbit. */
  readonly autoRestart?: boolean;
}

const FONT = 'Trebuchet MS, Verdana, sans-serif';
const DIRECTIONS = { up: 1, down: 2, left: 3, right: 4 } as const;
/** Moves 0 (stay) to 4 (right). */
const ACTIONS = 5;

export class PlayScene extends Phaser.Scene {
  declare qmix: QmixPlugin;
  private world!: HeistWorld;
  private gardeners!: GardenerSquad;
  private rabbit!: Phaser.GameObjects.Sprite;
  private guards: Phaser.GameObjects.Sprite[] = [];
  private views: Phaser.GameObjects.Rectangle[] = [];
  private carrotSprites: Phaser.GameObjects.Image[] = [];
  private hud!: { carrots: Phaser.GameObjects.Text; tally: Phaser.GameObjects.Text; status: Phaser.GameObjects.Text; squad: Phaser.GameObjects.Text; time: Phaser.GameObjects.Rectangle; sound: Phaser.GameObjects.Text };
  /** Cells each piece slides from and to (the rabbit may pass a middle cell when it hops). */
  private slide = { frame: 0, guardsFrom: new Int32Array(0), rabbitPath: [0, 0, 0] };
  /** The direction the rabbit keeps running in (0: standing) and the turn the player asked for. */
  private heading = 0;
  private wanted = 0;
  private tally = { rabbit: 0, gardeners: 0 };
  private readonly stats: PlayStats = { ticks: 0, decisions: 0, rounds: 0, caught: 0, escaped: 0, carrots: 0, mode: '', gardenerSteps: 0 };
  private hasPolicy = false;
  private script: RabbitPolicy | null = null;
  private sfx!: GameSound;
  private autoRestart = false;

  constructor() {
    super('play');
  }

  init(data: PlayOptions = {}): void {
    const rabbit = data.rabbit ?? 'player';
    if (rabbit !== 'player' && !(rabbit in RABBITS)) throw new Error(`unknown rabbit ${JSON.stringify(rabbit)}: expected player or ${Object.keys(RABBITS).join(', ')}`);
    this.script = rabbit === 'player' ? null : RABBITS[rabbit];
    this.autoRestart = data.autoRestart ?? this.script !== null;
  }

  /** The gardener squad (for pages that train or inspect it). */
  get squad(): GardenerSquad['squad'] {
    return this.gardeners.squad;
  }

  /** The rules being played. */
  get rules(): HeistWorld {
    return this.world;
  }

  create(): void {
    this.guards = [];
    this.views = [];
    this.carrotSprites = [];
    this.world = new HeistWorld(MAZE);
    // Sounds are for the player; scripted training rounds play silently.
    this.sfx = new GameSound(this);
    this.sfx.muted = this.script !== null || this.registry.get('muted') === true;
    this.drawGarden();
    this.rabbit = this.add.sprite(0, 0, 'rabbit').setDisplaySize(TILE - 2, TILE - 2).setDepth(3);
    for (let i = 0; i < this.world.nGuards; i++) {
      this.views.push(this.add.rectangle(0, 0, (2 * this.world.sight + 1) * TILE, (2 * this.world.sight + 1) * TILE, GARDENER_TINTS[i], 0.12).setStrokeStyle(1, GARDENER_TINTS[i], 0.5).setDepth(1).setVisible(false));
      this.guards.push(this.add.sprite(0, 0, 'gardener').setDisplaySize(TILE, TILE).setTint(GARDENER_TINTS[i]).setDepth(2));
    }
    const policy = this.cache.json.get('policy') as object | undefined;
    this.hasPolicy = policy !== undefined;
    this.gardeners = addGardenerSquad(this.qmix, this.world, this.guards, this.rabbit, {
      ticksEvery: TICK_FRAMES,
      mazeBounds: MAZE_BOUNDS,
      mode: this.hasPolicy ? 'greedy' : 'heuristic',
      ...(policy ? { policy } : {}),
    });
    this.gardeners.squad.on('decision', () => this.stats.decisions++);
    this.gardeners.squad.on('error', (e: Error) => console.error(e.message));
    this.drawHud();
    this.bindInput();
    this.events.on('overlay-closed', (action: 'resume' | 'again' | 'title') => {
      if (action === 'title') return void this.scene.start('title');
      if (action === 'again') this.newRound();
      this.scene.resume();
    });
    // Training-arena copies (qmix.arena > 0) play unseen: only the shown scene reports.
    if (this.qmix.arena === 0) (globalThis as { carrotHeist?: PlayStats }).carrotHeist = this.stats;
    this.newRound();
  }

  override update(): void {
    if (this.gardeners.decided) this.tick();
    this.animate();
  }

  // ---- rounds and ticks --------------------------------------------------

  private newRound(): void {
    this.world.reset(Math.random);
    this.heading = 0;
    this.wanted = 0;
    this.slide = { frame: TICK_FRAMES, guardsFrom: Int32Array.from(this.world.guards), rabbitPath: [this.world.rabbit, this.world.rabbit, this.world.rabbit] };
    this.gardeners.take();
    // A fresh episode for the squad: memory cleared, it decides on the next step.
    this.gardeners.squad.reset();
    this.stats.mode = this.gardeners.squad.mode;
    this.animate();
    this.refreshHud();
  }

  private tick(): void {
    const world = this.world;
    const from = Int32Array.from(world.guards);
    const start = world.rabbit;
    let middle = -1;
    const moves = this.weaken(this.gardeners.take());
    const result = world.tick(moves, this.rabbitMove(), () => {
      middle = world.rabbit;
      return this.rabbitMove();
    });
    for (let i = 0; i < world.nGuards; i++) this.stats.gardenerSteps += from[i] === world.guards[i] ? 0 : 1;
    this.slide = { frame: 0, guardsFrom: from, rabbitPath: [start, middle >= 0 ? middle : start, world.rabbit] };
    this.stats.ticks++;
    if (result.ate) {
      this.stats.carrots++;
      this.sfx.play('carrot');
    }
    const squad = this.gardeners.squad;
    squad.addGroupReward(result.reward);
    if (result.caught || result.timeUp) {
      // Sprites onto their final cells first: the episode's last state is built from them.
      this.slide.frame = TICK_FRAMES;
      this.animate();
      if (result.caught) squad.endEpisode();
      else squad.interruptEpisode();
      this.roundOver(result.caught ? 'caught' : 'escaped');
    }
    this.refreshHud();
  }

  /**
   * The trained squad's moves at the player's level (the title's choice): each
   * gardener may blunder. Only against a person: training and the scripted
   * squad play as they are.
   */
  private weaken(moves: Int32Array): Int32Array {
    const { blunder } = DIFFICULTIES[parseDifficulty(this.registry.get('difficulty'))];
    if (blunder === 0 || this.script !== null || this.gardeners.squad.mode !== 'greedy') return moves;
    const world = this.world;
    // A copy: the squad's own array stays what it chose (the editor's labels show it).
    moves = Int32Array.from(moves);
    for (let i = 0; i < moves.length; i++) moves[i] = weakenMove(moves[i], (a) => world.canMove(world.guards[i], a), ACTIONS, blunder, Math.random);
    return moves;
  }

  private roundOver(kind: 'caught' | 'escaped'): void {
    this.stats.rounds++;
    this.sfx.play(kind);
    if (kind === 'caught') {
      this.stats.caught++;
      this.tally.gardeners++;
    } else {
      this.stats.escaped++;
      this.tally.rabbit++;
    }
    if (this.autoRestart) this.newRound();
    else this.showOverlay(kind);
  }

  private showOverlay(kind: OverlayData['kind']): void {
    const data: OverlayData = { kind, carrots: this.world.eaten, ticks: this.world.t, tally: { ...this.tally } };
    this.scene.pause();
    this.scene.launch('overlay', data);
  }

  /** The player's move: the asked-for turn when open, else keep running, else stand. */
  private rabbitMove(): number {
    const world = this.world;
    if (this.script) return this.script(world, Math.random);
    if (this.wanted !== 0 && world.canMove(world.rabbit, this.wanted)) this.heading = this.wanted;
    if (this.heading !== 0 && !world.canMove(world.rabbit, this.heading)) this.heading = 0;
    return this.heading;
  }

  // ---- drawing -----------------------------------------------------------

  private drawGarden(): void {
    for (let y = 0; y < MAZE.height; y++) {
      for (let x = 0; x < MAZE.width; x++) {
        const cell = MAZE.cell(x, y);
        const key = MAZE.wall[cell] ? 'hedge' : MAZE.shed.includes(cell) ? 'shed' : 'grass';
        this.add.image(x * TILE, HUD + y * TILE, key).setOrigin(0);
      }
    }
    for (const cell of MAZE.carrots) {
      const { x, y } = cellCentre(cell);
      this.carrotSprites.push(this.add.image(x, y, 'carrot').setDisplaySize(TILE - 6, TILE - 6));
    }
  }

  private animate(): void {
    const s = this.slide;
    s.frame = Math.min(TICK_FRAMES, s.frame + 1);
    // Arrive exactly on the last step before the next tick: the squad's state
    // (built from these sprites at its decision) then sees whole cells.
    const p = Math.min(1, s.frame / (TICK_FRAMES - 1));
    for (let i = 0; i < this.guards.length; i++) {
      const a = cellCentre(s.guardsFrom[i]);
      const b = cellCentre(this.world.guards[i]);
      const x = a.x + (b.x - a.x) * p;
      const y = a.y + (b.y - a.y) * p;
      this.guards[i].setPosition(x, y);
      if (b.x !== a.x) this.guards[i].setFlipX(b.x < a.x);
      this.views[i].setPosition(x, y);
    }
    const [r0, r1, r2] = s.rabbitPath.map(cellCentre);
    const half = p < 0.5;
    const q = half ? p * 2 : p * 2 - 1;
    const from = half ? r0 : r1;
    const to = half ? r1 : r2;
    this.rabbit.setPosition(from.x + (to.x - from.x) * q, from.y + (to.y - from.y) * q);
    if (to.x !== from.x || to.y !== from.y) this.rabbit.setAngle(to.x > from.x ? 90 : to.x < from.x ? -90 : to.y > from.y ? 180 : 0);
    this.carrotSprites.forEach((c, k) => c.setVisible(this.world.carrots[k] === 1));
  }

  private drawHud(): void {
    this.add.rectangle(0, 0, WIDTH, HUD, 0x1d3b1a).setOrigin(0);
    this.add.image(18, HUD / 2, 'carrot').setDisplaySize(24, 24);
    const style = { fontFamily: FONT, fontSize: '16px', color: '#fdf6e3' };
    const carrots = this.add.text(34, HUD / 2, '', style).setOrigin(0, 0.5);
    const tally = this.add.text(WIDTH / 2, 14, '', { ...style, fontSize: '14px' }).setOrigin(0.5);
    const status = this.add.text(WIDTH / 2, 34, '', { ...style, fontSize: '14px', fontStyle: 'bold' }).setOrigin(0.5);
    const squad = this.add.text(WIDTH - 8, 14, '', { ...style, fontSize: '11px', color: '#cfe8b8' }).setOrigin(1, 0.5);
    this.add.rectangle(WIDTH - 108, 34, 100, 8, 0x000000, 0.4).setOrigin(0, 0.5);
    const time = this.add.rectangle(WIDTH - 108, 34, 100, 8, 0xffb347).setOrigin(0, 0.5);
    // What the bar is, and whether sound is on (M toggles it): nothing said so before.
    this.add.text(WIDTH - 112, 34, 'time left', { ...style, fontSize: '11px', color: '#cfe8b8' }).setOrigin(1, 0.5);
    const sound = this.add.text(56, HUD / 2, '', { ...style, fontSize: '11px', color: '#cfe8b8' }).setOrigin(0, 0.5);
    this.hud = { carrots, tally, status, squad, time, sound };
    // Above the sight squares, which may reach under the bar.
    for (const o of this.children.list.slice(-10)) (o as unknown as Phaser.GameObjects.Components.Depth).setDepth(10);
  }

  private refreshHud(): void {
    const w = this.world;
    this.hud.carrots.setText(`${w.eaten}`);
    this.hud.tally.setText(`Rabbit ${this.tally.rabbit} : ${this.tally.gardeners} Gardeners`);
    const near = w.nearestGuard(w.rabbit);
    this.hud.status.setText(near <= 3 ? 'Gardeners closing in!' : 'Rabbit in the clear').setColor(near <= 3 ? '#ff7b5c' : '#9be564');
    const mode = this.gardeners.squad.mode;
    const level = DIFFICULTIES[parseDifficulty(this.registry.get('difficulty'))].label.toLowerCase();
    this.hud.squad.setText(mode === 'greedy' ? (this.script === null ? `trained squad · ${level}` : 'trained squad') : mode === 'train' ? 'squad in training' : 'scripted squad');
    this.hud.time.width = 100 * (1 - w.t / w.episodeLimit);
    this.hud.sound.setText(this.script !== null ? '' : `sound ${this.sfx.muted ? 'off' : 'on'} (M)`);
  }

  // ---- input -------------------------------------------------------------

  private bindInput(): void {
    const keyboard = this.input.keyboard!;
    const bind = (keys: string[], dir: number): void => {
      for (const k of keys) keyboard.on(`keydown-${k}`, () => (this.wanted = dir));
    };
    bind(['UP', 'W'], DIRECTIONS.up);
    bind(['DOWN', 'S'], DIRECTIONS.down);
    bind(['LEFT', 'A'], DIRECTIONS.left);
    bind(['RIGHT', 'D'], DIRECTIONS.right);
    keyboard.on('keydown-P', () => this.showOverlay('paused'));
    keyboard.on('keydown-M', () => {
      this.sfx.muted = !this.sfx.muted;
      this.registry.set('muted', this.sfx.muted);
      this.refreshHud();
    });
    keyboard.on('keydown-V', () => this.views.forEach((v) => v.setVisible(!v.visible)));
    keyboard.on('keydown-B', () => {
      if (!this.hasPolicy) return;
      const squad = this.gardeners.squad;
      squad.setMode(squad.mode === 'greedy' ? 'heuristic' : 'greedy');
      this.stats.mode = squad.mode;
      this.refreshHud();
    });
    // Touch: tap beside the rabbit to run that way.
    this.input.on('pointerdown', (p: Phaser.Input.Pointer) => {
      const dx = p.worldX - this.rabbit.x;
      const dy = p.worldY - this.rabbit.y;
      if (Math.abs(dx) < 4 && Math.abs(dy) < 4) return;
      this.wanted = Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? DIRECTIONS.right : DIRECTIONS.left) : dy > 0 ? DIRECTIONS.down : DIRECTIONS.up;
    });
  }
}
