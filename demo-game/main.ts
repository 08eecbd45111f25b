/**
 * Carrot Heist, the phaser-qmix demo: the player's rabbit against a squad of
 * gardeners trained with QMIX, playing greedily and decentralised from the
 * shipped policy file (no tfjs in this bundle).
 */
import * as Phaser from 'phaser';
import { playAtFixedRate, QmixPlugin } from '../plugin/phaser/index.js';
import { HEIGHT, WIDTH } from './config.js';
import { BootScene } from './scenes/boot.js';
import { OverlayScene } from './scenes/overlay.js';
import { PlayScene } from './scenes/play.js';
import { TitleScene } from './scenes/title.js';

const game = new Phaser.Game({
  type: Phaser.AUTO,
  parent: 'game',
  width: WIDTH,
  height: HEIGHT,
  backgroundColor: '#1d3b1a',
  pixelArt: false,
  scale: { mode: Phaser.Scale.FIT, autoCenter: Phaser.Scale.CENTER_BOTH },
  plugins: { scene: [{ key: 'QmixPlugin', plugin: QmixPlugin, mapping: 'qmix' }] },
  scene: [BootScene, TitleScene, PlayScene, OverlayScene],
});

// 60 game steps a second in real time on any display (a tick is 10 steps), however fast its frames come.
playAtFixedRate(game);
(globalThis as { game?: Phaser.Game }).game = game;
