/**
 * The adaptive load of a training worker: watch the game's frame intervals
 * (requestAnimationFrame) and lower the worker's duty cycle while their p95
 * exceeds `p95Ratio` times the median, raising it again once frames are
 * even. On two cores a fully busy worker competes with the browser's own
 * threads and frames start late; this keeps them even.
 */

/**
 * @example
 * ```ts
 * const pacing = new FramePacing(1, 1.1, (load) => worker.postMessage({ type: 'load', maxLoad: load }));
 * pacing.start();
 * ```
 */
export class FramePacing {
  private request: number | null = null;
  private stopped = false;

  /**
   * @param load the duty cycle in force (starts at the maximum)
   * @param onChange called with each new duty cycle
   */
  constructor(
    public load: number,
    private readonly maxLoad: number,
    private readonly p95Ratio: number,
    private readonly onChange: (load: number) => void,
  ) {}

  /** Starts watching frames (nothing happens where requestAnimationFrame does not exist). */
  start(): void {
    if (typeof requestAnimationFrame !== 'function') return;
    const WINDOW = 300;
    const intervals = new Float64Array(WINDOW);
    let count = 0;
    let last = 0;
    // performance.now(), not the rAF timestamp: the timestamp is snapped to the
    // frame clock and hides how late the frame's work actually started.
    const tick = (): void => {
      if (this.stopped) return;
      const now = performance.now();
      if (last > 0) {
        intervals[count % WINDOW] = now - last;
        count++;
        if (count >= 60 && count % 60 === 0) this.adjust(intervals.subarray(0, Math.min(count, WINDOW)));
      }
      last = now;
      this.request = requestAnimationFrame(tick);
    };
    this.request = requestAnimationFrame(tick);
  }

  stop(): void {
    this.stopped = true;
    if (this.request !== null) cancelAnimationFrame(this.request);
    this.request = null;
  }

  private adjust(intervals: Float64Array): void {
    const sorted = Float64Array.from(intervals).sort();
    const ratio = sorted[Math.floor(sorted.length * 0.95)] / Math.max(1e-3, sorted[Math.floor(sorted.length / 2)]);
    // Back off quickly when frames stretch, come back slowly when they are even.
    const next = ratio > this.p95Ratio ? Math.max(0.2, this.load * 0.8) : ratio < this.p95Ratio * 0.97 ? Math.min(this.maxLoad, this.load + 0.05) : this.load;
    if (Math.abs(next - this.load) >= 0.01) {
      this.load = next;
      this.onChange(next);
    }
  }
}
