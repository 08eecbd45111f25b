/**
 * Small live line charts on uPlot: fixed size (no layout jumps while points
 * arrive), points appended as they come and drawn at most once per frame.
 * The page must load uPlot's stylesheet (`uplot/dist/uPlot.min.css`).
 */
import uPlot from 'uplot';
import type { ChartPoints } from './chart-history.js';

/** One line of a chart. */
export interface ChartSeries {
  readonly label: string;
  readonly color: string;
}

/** How a chart draws its y axis. */
export interface ChartOptions {
  readonly width?: number;
  readonly height?: number;
  /** A fixed y range (e.g. [0, 1] for a rate), so the axis reads the same empty and full. Default: fitted to the data. */
  readonly yRange?: readonly [number, number];
  /** Tick labels as percentages (values in 0..1). */
  readonly percent?: boolean;
}

/** Most points a chart keeps (older ones are dropped two at a time). */
const MAX_POINTS = 4000;

/**
 * A fixed-size line chart of one or more series against env steps.
 * @example
 * ```ts
 * const chart = new MetricChart(el, 'TD loss', [{ label: 'loss', color: '#e8604c' }]);
 * chart.push(envSteps, [loss]);
 * ```
 */
export class MetricChart {
  readonly element: HTMLElement;
  private readonly xs: number[] = [];
  private readonly ys: (number | null)[][];
  private readonly plot: uPlot;
  private dirty = false;
  private frame: number | null = null;

  constructor(
    parent: HTMLElement,
    readonly title: string,
    series: readonly ChartSeries[],
    options: ChartOptions = {},
  ) {
    const { width = 300, height = 140, yRange, percent = false } = options;
    this.element = document.createElement('figure');
    this.element.className = 'pq-chart';
    this.element.setAttribute('aria-label', title);
    parent.appendChild(this.element);
    this.ys = series.map(() => []);
    this.plot = new uPlot(
      {
        title,
        width,
        height,
        legend: { show: series.length > 1, live: false },
        cursor: { show: false },
        scales: { x: { time: false }, ...(yRange ? { y: { range: [yRange[0], yRange[1]] as uPlot.Range.MinMax } } : {}) },
        axes: [
          { stroke: '#9fb39a', grid: { stroke: '#2c3b2a' }, size: 24, font: '10px sans-serif' },
          { stroke: '#9fb39a', grid: { stroke: '#2c3b2a' }, size: 44, font: '10px sans-serif', ...(percent ? { values: (_u: uPlot, ticks: number[]) => ticks.map((v) => `${Math.round(v * 100)}%`) } : {}) },
        ],
        series: [{ label: 'env steps' }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true, points: { show: false } }))],
      },
      [this.xs, ...this.ys] as uPlot.AlignedData,
      this.element,
    );
  }

  /** Points received so far (after trimming). */
  get points(): number {
    return this.xs.length;
  }

  /** Appends one point per series at `x` (null: no value for that series here). */
  push(x: number, values: readonly (number | null)[]): void {
    if (!Number.isFinite(x)) return;
    this.xs.push(x);
    this.ys.forEach((y, k) => y.push(values[k] !== null && Number.isFinite(values[k]) ? (values[k] as number) : null));
    if (this.xs.length > MAX_POINTS) {
      this.xs.splice(0, 2);
      for (const y of this.ys) y.splice(0, 2);
    }
    this.schedule();
  }

  /** A copy of the points (for the history kept with a checkpoint). */
  snapshot(): ChartPoints {
    return { xs: [...this.xs], ys: this.ys.map((y) => [...y]) };
  }

  /** Replaces the points with `s` (series it lacks read as gaps, extra ones are dropped). */
  load(s: ChartPoints): void {
    this.xs.length = 0;
    this.xs.push(...s.xs);
    this.ys.forEach((y, k) => {
      y.length = 0;
      y.push(...(s.ys[k] ?? s.xs.map(() => null)));
    });
    this.schedule();
  }

  /** Removes every point. */
  clear(): void {
    this.xs.length = 0;
    for (const y of this.ys) y.length = 0;
    this.schedule();
  }

  destroy(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.plot.destroy();
    this.element.remove();
  }

  private schedule(): void {
    this.dirty = true;
    this.frame ??= requestAnimationFrame(() => {
      this.frame = null;
      if (!this.dirty) return;
      this.dirty = false;
      this.plot.setData([this.xs, ...this.ys] as uPlot.AlignedData);
    });
  }
}
