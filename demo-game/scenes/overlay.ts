/** Pause, win and lose screens, drawn over the paused game. */
import * as Phaser from 'phaser';
import { HEIGHT, WIDTH } from '../config.js';

/** What the overlay shows. */
export interface OverlayData {
  readonly kind: 'paused' | 'caught' | 'escaped';
  readonly carrots: number;
  readonly ticks: number;
  readonly tally: { readonly rabbit: number; readonly gardeners: number };
}

const TITLES = { paused: 'Paused', caught: 'Caught!', escaped: 'You got away!' } as const;
const COLOURS = { paused: '#fdf6e3', caught: '#ff7b5c', escaped: '#9be564' } as const;

export class OverlayScene extends Phaser.Scene {
  constructor() {
    super('overlay');
  }

  create(data: OverlayData): void {
    this.add.rectangle(0, 0, WIDTH, HEIGHT, 0x000000, 0.55).setOrigin(0);
    this.add.text(WIDTH / 2, HEIGHT / 2 - 50, TITLES[data.kind], { fontFamily: 'Trebuchet MS, Verdana, sans-serif', fontSize: '40px', color: COLOURS[data.kind], fontStyle: 'bold' }).setOrigin(0.5);
    const detail =
      data.kind === 'paused'
        ? 'Press P or tap to go on'
        : `${data.carrots} carrot${data.carrots === 1 ? '' : 's'} in ${data.ticks} moves.   Rabbit ${data.tally.rabbit} : ${data.tally.gardeners} Gardeners`;
    this.add.text(WIDTH / 2, HEIGHT / 2 + 5, detail, { fontFamily: 'Trebuchet MS, Verdana, sans-serif', fontSize: '16px', color: '#fdf6e3' }).setOrigin(0.5);
    if (data.kind !== 'paused') {
      this.add.text(WIDTH / 2, HEIGHT / 2 + 40, 'SPACE or tap: play again    Esc: title', { fontFamily: 'Trebuchet MS, Verdana, sans-serif', fontSize: '15px', color: '#ffb347' }).setOrigin(0.5);
    }
    const play = this.scene.get('play');
    const close = (action: 'resume' | 'again' | 'title'): void => {
      this.scene.stop();
      play.events.emit('overlay-closed', action);
    };
    const keyboard = this.input.keyboard!;
    if (data.kind === 'paused') {
      keyboard.once('keydown-P', () => close('resume'));
      keyboard.once('keydown-ESC', () => close('resume'));
      this.input.once('pointerdown', () => close('resume'));
    } else {
      keyboard.once('keydown-SPACE', () => close('again'));
      keyboard.once('keydown-ENTER', () => close('again'));
      keyboard.once('keydown-ESC', () => close('title'));
      this.input.once('pointerdown', () => close('again'));
    }
  }
}
