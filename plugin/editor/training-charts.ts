/**
 * The editor's six charts and what feeds them: the scene's episodes (train
 * and greedy test), the worker's metrics, and in rules mode the worker's own
 * training episodes and greedy tests.
 */
import { MetricChart } from './charts.js';
import type { EditorTest } from './best.js';
import type { ChartHistory } from './chart-history.js';
import type { EditorMetrics } from './editor.js';

type ChartName = 'returns' | 'wins' | 'loss' | 'qtot' | 'epsilon' | 'speed';

/** Scene episodes counted in the win rates' moving windows (train, and greedy test episodes of the scene). */
const WIN_WINDOW = 20;

/**
 * Metrics messages in the speed chart's moving average (10 x 500 ms = 5 s):
 * a ~100-step episode lands in one 500 ms window, so raw windows read as
 * spikes and zeros.
 */
const SPEED_WINDOW = 10;

/** A moving mean over the last `size` values. */
class MovingMean {
  private readonly values: number[] = [];
  constructor(private readonly size: number) {}
  add(v: number): number {
    this.values.push(v);
    if (this.values.length > this.size) this.values.shift();
    return this.values.reduce((a, b) => a + b, 0) / this.values.length;
  }
  clear(): void {
    this.values.length = 0;
  }
}

/**
 * @example
 * ```ts
 * const charts = new TrainingCharts(container);
 * charts.metrics(m);                 // every worker metrics message
 * charts.sceneEpisode(steps, 3.2, 1, false);
 * ```
 */
export class TrainingCharts {
  private readonly charts: Record<ChartName, MetricChart>;
  private readonly trainWins = new MovingMean(WIN_WINDOW);
  private readonly testWins = new MovingMean(WIN_WINDOW);
  private readonly updateRate = new MovingMean(SPEED_WINDOW);
  private readonly stepRate = new MovingMean(SPEED_WINDOW);
  /** Rules mode: the latest metrics windows (episodes, summed return, summed wins), covering at least WIN_WINDOW episodes. */
  private readonly recentWindows: { episodes: number; returns: number; wins: number | null }[] = [];

  constructor(parent: HTMLElement) {
    this.charts = {
      returns: new MetricChart(parent, 'Team return', [
        { label: 'train', color: '#7fc97f' },
        { label: 'greedy test', color: '#ffb347' },
      ]),
      wins: new MetricChart(
        parent,
        'Win rate',
        [
          { label: `train (last ${WIN_WINDOW})`, color: '#7fc97f' },
          { label: 'greedy test', color: '#ffb347' },
        ],
        { yRange: [0, 1], percent: true },
      ),
      loss: new MetricChart(parent, 'TD loss', [{ label: 'loss', color: '#e8604c' }]),
      qtot: new MetricChart(parent, 'Mean Q_tot', [{ label: 'Q_tot', color: '#8fb8ff' }]),
      epsilon: new MetricChart(parent, 'Epsilon', [{ label: 'epsilon', color: '#d7b4f3' }]),
      speed: new MetricChart(parent, 'Speed (5 s average)', [
        { label: 'updates/s', color: '#f0c23c' },
        { label: 'env steps/s / 10', color: '#4fd1c5' },
      ]),
    };
  }

  /** Points in each chart. */
  get points(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.charts).map(([k, c]) => [k, c.points]));
  }

  /** A finished scene episode at `x` env steps (`win` null: the page defines no wins). */
  sceneEpisode(x: number, teamReturn: number, win: number | null, test: boolean): void {
    if (test) {
      this.charts.returns.push(x, [null, teamReturn]);
      if (win !== null) this.charts.wins.push(x, [null, this.testWins.add(win)]);
      return;
    }
    this.charts.returns.push(x, [teamReturn, null]);
    if (win === null) return;
    this.charts.wins.push(x, [this.trainWins.add(win), null]);
  }

  /** A worker metrics message (rules mode: with its training episodes). */
  metrics(m: EditorMetrics, rulesMode: boolean): void {
    if (m.updates > 0) {
      this.charts.loss.push(m.envSteps, [m.loss]);
      this.charts.qtot.push(m.envSteps, [m.qTotMean]);
    }
    this.charts.epsilon.push(m.envSteps, [m.epsilon]);
    this.charts.speed.push(m.envSteps, [this.updateRate.add(m.updatesPerSec), this.stepRate.add(m.envStepsPerSec) / 10]);
    const n = m.trainEpisodes ?? 0;
    if (rulesMode && n > 0) {
      // A metrics window holds a handful of episodes: chart the mean over the last WIN_WINDOW or more.
      this.recentWindows.push({ episodes: n, returns: (m.trainReturnMean ?? 0) * n, wins: m.trainWinRate == null ? null : m.trainWinRate * n });
      while (this.recentWindows.length > 1 && this.recentWindows.reduce((a, w) => a + w.episodes, 0) - this.recentWindows[0].episodes >= WIN_WINDOW) this.recentWindows.shift();
      const total = this.recentWindows.reduce((a, w) => a + w.episodes, 0);
      this.charts.returns.push(m.envSteps, [this.recentWindows.reduce((a, w) => a + w.returns, 0) / total, null]);
      if (m.trainWinRate != null) this.charts.wins.push(m.envSteps, [this.recentWindows.reduce((a, w) => a + (w.wins ?? 0), 0) / total, null]);
    }
  }

  /** A round of greedy tests in the worker. */
  test(t: EditorTest): void {
    this.charts.returns.push(t.envSteps, [null, t.returnMean]);
    if (t.winRate !== null) this.charts.wins.push(t.envSteps, [null, t.winRate]);
  }

  /** Every chart's points (kept with a checkpoint, see ChartHistoryStore). */
  snapshot(): ChartHistory {
    return Object.fromEntries(Object.entries(this.charts).map(([k, c]) => [k, c.snapshot()]));
  }

  /** Shows a kept history (charts it does not name start empty); the moving windows start afresh. */
  restore(history: ChartHistory): void {
    this.clear();
    for (const [k, c] of Object.entries(this.charts)) if (history[k]) c.load(history[k]);
  }

  clear(): void {
    for (const m of [this.trainWins, this.testWins, this.updateRate, this.stepRate]) m.clear();
    this.recentWindows.length = 0;
    for (const c of Object.values(this.charts)) c.clear();
  }

  destroy(): void {
    for (const c of Object.values(this.charts)) c.destroy();
  }
}
