/** Loads the art and the shipped policy, then shows the title. */
import * as Phaser from 'phaser';
import { ASSET_ROOT, TILE } from '../config.js';

export class BootScene extends Phaser.Scene {
  constructor() {
    super('boot');
  }

  preload(): void {
    const big = { width: 64, height: 64 };
    const tile = { width: TILE, height: TILE };
    this.load.svg('rabbit', `${ASSET_ROOT}rabbit.svg`, big);
    this.load.svg('gardener', `${ASSET_ROOT}gardener.svg`, big);
    this.load.svg('hedge', `${ASSET_ROOT}hedge.svg`, tile);
    this.load.svg('grass', `${ASSET_ROOT}grass.svg`, tile);
    this.load.svg('shed', `${ASSET_ROOT}shed.svg`, tile);
    this.load.svg('carrot', `${ASSET_ROOT}carrot.svg`, tile);
    this.load.svg('logo', `${ASSET_ROOT}logo.svg`, { width: 480, height: 120 });
    // The shipped squad. Without it the game still runs, with the scripted gardeners.
    this.load.json('policy', `${ASSET_ROOT}policy.json`);
    this.load.on(Phaser.Loader.Events.FILE_LOAD_ERROR, (file: Phaser.Loader.File) => {
      if (file.key === 'policy') console.warn('no shipped policy found: the gardeners play the scripted baseline');
    });
  }

  create(): void {
    // A page may start somewhere else (the editor starts straight in play with a scripted rabbit).
    const next = (this.registry.get('startScene') as { key: string; data?: object } | undefined) ?? { key: 'title' };
    this.scene.start(next.key, next.data);
  }
}
