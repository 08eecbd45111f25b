/**
 * The status line's part on where experience comes from and how fast: a
 * steady env-steps rate (the worker's metrics windows are short, so one
 * window's rate jumps between 0 and thousands), and for game-fed training
 * the scene's steps/s, the learner's lag and the ratio in force.
 */
import type { EditorMetrics, EditorTrainer } from './editor.js';

/** Rate window (ms). */
const WINDOW_MS = 5000;

/**
 * @example
 * ```ts
 * const pace = new PaceReport();
 * status.push(pace.text(trainer, metrics, scene.qmix.stats));
 * ```
 */
export class PaceReport {
  private readonly samples: { t: number; steps: number }[] = [];

  /** One line; `m` null: no new metrics (the rate is left out). */
  text(t: EditorTrainer, m: EditorMetrics | null, stats?: { readonly sceneStepsPerSec: number }): string {
    const rate = m ? `${Math.round(this.stepsPerSec(m.envSteps))} env steps/s` : '';
    if (t.rulesMode) return `worker env copies${rate ? `, ${rate}` : ''}`;
    const p = t.pacingState;
    const scene = stats ? `scene ${Math.round(stats.sceneStepsPerSec)} steps/s` : '';
    const ratio = p && Number.isFinite(p.stepsPerUpdate) ? `, ${p.stepsPerUpdate.toFixed(0)} env steps per update (asked ${p.targetStepsPerUpdate.toFixed(0)})` : '';
    return [scene, p ? `learner lag ${p.lagUpdates} updates${ratio}` : ''].filter(Boolean).join(', ');
  }

  /** Env steps per second over the last WINDOW_MS of metrics. */
  private stepsPerSec(envSteps: number): number {
    const now = performance.now();
    const samples = this.samples;
    if (samples.length > 0 && envSteps < samples[samples.length - 1].steps) samples.length = 0; // a reset or a restore
    samples.push({ t: now, steps: envSteps });
    while (samples.length > 2 && now - samples[1].t >= WINDOW_MS) samples.shift();
    const first = samples[0];
    return now - first.t > 0 ? ((envSteps - first.steps) * 1000) / (now - first.t) : 0;
  }
}
