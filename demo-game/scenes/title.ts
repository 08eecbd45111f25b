/** The title screen: what the game is and how to play. */
import * as Phaser from 'phaser';
import { HEIGHT, WIDTH } from '../config.js';

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
      'V: show what each gardener sees',
      'B: swap the trained squad for the scripted one',
    ];
    this.add.text(WIDTH / 2, HEIGHT / 2 + 30, lines, { fontFamily: 'Trebuchet MS, Verdana, sans-serif', fontSize: '15px', color: '#fdf6e3', align: 'center', lineSpacing: 4 }).setOrigin(0.5);
    // On a dark plate, light text, pulsing in size not in opacity: orange on the light grass read at about 1:1.
    this.add.rectangle(WIDTH / 2, HEIGHT - 28, 300, 36, 0x1d3b1a, 0.92).setStrokeStyle(2, 0xf3d17a);
    const prompt = this.add.text(WIDTH / 2, HEIGHT - 28, 'Press SPACE or tap to play', { fontFamily: 'Trebuchet MS, Verdana, sans-serif', fontSize: '18px', color: '#ffe9a8', fontStyle: 'bold' }).setOrigin(0.5);
    this.tweens.add({ targets: prompt, scale: 1.06, duration: 700, yoyo: true, repeat: -1, ease: 'Sine.easeInOut' });
    const start = (): void => {
      this.scene.start('play');
    };
    this.input.keyboard?.once('keydown-SPACE', start);
    this.input.keyboard?.once('keydown-ENTER', start);
    this.input.once('pointerdown', start);
  }
}
