/**
 * The game's few sounds, synthesised with Web Audio on the fly (no sound
 * files to license or load): a crunch for a carrot, a falling tone when the
 * rabbit is caught, a rising one when it gets away. M mutes.
 */
import type * as Phaser from 'phaser';

type Note = readonly [frequency: number, startSec: number, lengthSec: number];

const TUNES: Record<'carrot' | 'caught' | 'escaped', { readonly wave: OscillatorType; readonly notes: readonly Note[]; readonly volume: number }> = {
  carrot: { wave: 'square', volume: 0.05, notes: [[880, 0, 0.05], [1320, 0.04, 0.05]] },
  caught: { wave: 'sawtooth', volume: 0.06, notes: [[440, 0, 0.15], [330, 0.14, 0.15], [220, 0.28, 0.3]] },
  escaped: { wave: 'triangle', volume: 0.09, notes: [[523, 0, 0.1], [659, 0.1, 0.1], [784, 0.2, 0.1], [1047, 0.3, 0.25]] },
};

/**
 * @example
 * ```ts
 * const sound = new GameSound(this);
 * sound.play('carrot');
 * ```
 */
export class GameSound {
  muted = false;

  constructor(private readonly scene: Phaser.Scene) {}

  play(tune: keyof typeof TUNES): void {
    const context = (this.scene.sound as { context?: AudioContext }).context;
    // No Web Audio (or not unlocked by a gesture yet): stay silent rather than warn.
    if (this.muted || !context || context.state !== 'running') return;
    const { wave, notes, volume } = TUNES[tune];
    const now = context.currentTime;
    for (const [frequency, start, length] of notes) {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.type = wave;
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(volume, now + start);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + start + length);
      osc.connect(gain).connect(context.destination);
      osc.start(now + start);
      osc.stop(now + start + length + 0.02);
    }
  }
}
