/** The title screen: what the game is and how to play. */
import * as Phaser from 'phaser';
import { HEIGHT, WIDTH } from '../config.js';
import { DIFFICULTIES, nextDifficulty, parseDifficulty, type Difficulty } from '../difficulty.js';

/** Where the chosen level is kept between visits. */
const DIFFICULTY_KEY = 'carrot-heist:difficulty';

/** The stored level (storage can be missing or refused: private windows, sandboxed frames). */
function storedDifficulty(): Difficulty {
  try {
    return parseDifficulty(globalThis.localStorage?.getItem(DIFFICULTY_KEY));
  } catch {
    return parseDifficulty(undefined);
  }
}

export class TitleScene extends Phaser.Scene {
  constructor() {
    super('title');
  }

  create(): void {
    this.add.tileSprite(0, 0, WIDTH, HEIGHT, 'grass').setOrigin(0);
    this.add.rectangle(WIDTH / 2, HEIGHT / 2 + 40, WIDTH - 40, 220, 0x1d3b1a, 0.75).setStrokeStyle(2, 0xf3d17a);
    this.add.image(WIDTH / 2, 70, 'logo').setScale(0.9);
    const lines = [
      'You are the rabbit. Eat carrots, and keep away',
      'from the gardeners until the time runs out.',
      'A gardener alone can hardly catch you:',
      'they learned to work together to corner you.',
      '',
      'Arrows / WASD or tap: move    P: pause    M: sound',
      'V: what each gardener sees    B: scripted gardeners',
    ];
    this.add.text(WIDTH / 2, HEIGHT / 2 + 20, lines, { fontFamily: 'Trebuchet MS, Verdana, sans-serif', fontSize: '15px', color: '#fdf6e3', align: 'center', lineSpacing: 4 }).setOrigin(0.5);
    // On a dark plate, light text, pulsing in size not in opacity: orange on the light grass read at about 1:1.
    this.add.rectangle(WIDTH / 2, HEIGHT - 28, 300, 36, 0x1d3b1a, 0.92).setStrokeStyle(2, 0xf3d17a);
    const prompt = this.add.text(WIDTH / 2, HEIGHT - 28, 'Press SPACE or tap to play', { fontFamily: 'Trebuchet MS, Verdana, sans-serif', fontSize: '18px', color: '#ffe9a8', fontStyle: 'bold' }).setOrigin(0.5);
    this.tweens.add({ targets: prompt, scale: 1.06, duration: 700, yoyo: true, repeat: -1, ease: 'Sine.easeInOut' });
    this.drawDifficulty();
    const start = (): void => {
      this.scene.start('play');
    };
    this.input.keyboard?.once('keydown-SPACE', start);
    this.input.keyboard?.once('keydown-ENTER', start);
    // A tap plays, except on the difficulty line, which changes the level.
    this.input.on('pointerdown', (_p: Phaser.Input.Pointer, over: Phaser.GameObjects.GameObject[]) => {
      if (over.length === 0) start();
    });
  }

  /** The level line: the arrows or a tap on it change it; the play scene reads it from the registry. */
  private drawDifficulty(): void {
    if (!this.registry.has('difficulty')) this.registry.set('difficulty', storedDifficulty());
    const text = this.add
      .text(WIDTH / 2, HEIGHT / 2 + 128, '', { fontFamily: 'Trebuchet MS, Verdana, sans-serif', fontSize: '16px', color: '#ffe9a8', backgroundColor: '#10240e', padding: { x: 10, y: 4 } })
      .setOrigin(0.5)
      .setInteractive({ useHandCursor: true });
    const show = (): void => {
      const d = this.registry.get('difficulty') as Difficulty;
      text.setText(`Gardeners:  \u25C0  ${DIFFICULTIES[d].label}  \u25B6      (\u2190 \u2192 to change)`);
    };
    const change = (step: 1 | -1): void => {
      const d = nextDifficulty(this.registry.get('difficulty') as Difficulty, step);
      this.registry.set('difficulty', d);
      try {
        globalThis.localStorage?.setItem(DIFFICULTY_KEY, d);
      } catch {
        // Not kept across visits; the level still holds for this one.
      }
      show();
    };
    // A held key steps once (the browser's auto-repeat would spin the level round).
    this.input.keyboard?.on('keydown-LEFT', (e: KeyboardEvent) => e.repeat || change(-1));
    this.input.keyboard?.on('keydown-RIGHT', (e: KeyboardEvent) => e.repeat || change(1));
    text.on('pointerdown', () => change(1));
    show();
  }
}
