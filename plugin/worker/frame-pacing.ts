/**
 * The adaptive load of a training worker: lower the worker's duty cycle when
 * the worker itself makes the game's frames late, and only then.
 *
 * Frame intervals (requestAnimationFrame) are uneven on a busy machine for
 * many reasons: other tabs, the OS, the game's own work. The first version
 * compared the p95 interval with the median and backed off whenever it was
 * over 1.1, so on a noisy machine jitter the worker did not cause throttled
 * it to 21%. Now, when a window of frames is uneven, the worker is asked to
 * rest for a short probe window; the p95 measured while it rests is the
 * reference, and the load backs off only while the busy p95 exceeds
 * `p95Ratio` times that reference. On two cores a fully busy worker does
 * compete with the browser's own threads; then resting evens the frames and
 * the load comes down.
 */

/** Where frame times come from (injectable for tests). */
export interface FrameClock {
  now(): number;
  requestFrame(callback: () => void): number;
  cancelFrame(id: number): void;
}

/** Settings of a {@link FramePacing}; `maxLoad`, `setLoad` and `rest` are required. */
export interface FramePacingOptions {
  /** The highest duty cycle (0..1]; the load starts there unless `load` says otherwise. */
  readonly maxLoad: number;
  /** The duty cycle in force at the start. Default `maxLoad`. */
  readonly load?: number;
  /** Busy p95 over reference p95 the load aims under. Default 1.1. */
  readonly p95Ratio?: number;
  /** Called with each new duty cycle (post it to the worker as a `load` message). */
  setLoad(load: number): void;
  /** Asks the worker to rest (true) for a probe window, and to go on (false). */
  rest(resting: boolean): void;
  /** Frames per busy window (one decision each). Default 120 (2 s at 60 Hz). */
  readonly windowFrames?: number;
  /** Frames measured while the worker rests. Default 90. */
  readonly probeFrames?: number;
  /** Frames during this long after a change (rest, resume, new load) are not counted: the worker finishes its update first (ms). Default 250. */
  readonly settleMs?: number;
  /** A reference older than this is measured again before it is used (ms). Default 30000: on a noisy machine the worker rests about 6% of the time. */
  readonly referenceMaxAgeMs?: number;
  /** The lowest duty cycle. Default 0.2. */
  readonly minLoad?: number;
  /** Default: performance.now() and requestAnimationFrame. */
  readonly clock?: FrameClock;
}

/** Intervals longer than this are a hidden tab or a debugger stop, not jank. */
const GAP_MS = 1000;

const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Frame-pacing control loop of the adaptive load (browser main thread).
 * @example
 * ```ts
 * const pacing = new FramePacing({
 *   maxLoad: 1,
 *   setLoad: (load) => worker.postMessage({ type: 'load', maxLoad: load }),
 *   rest: (resting) => worker.postMessage({ type: resting ? 'pause' : 'resume' }),
 * });
 * pacing.start();
 * ```
 */
export class FramePacing {
  /** The duty cycle in force (the client resets it when a worker restarts). */
  load: number;
  private readonly o: Required<Omit<FramePacingOptions, 'load' | 'clock'>>;
  private readonly clock: FrameClock | null;
  private request: number | null = null;
  private stopped = false;
  private phase: 'busy' | 'probe' = 'busy';
  private samples: number[] = [];
  private countFrom = 0;
  private ref: { p95: number; at: number; unused: boolean; samples: number[] } | null = null;
  private probes = 0;
  /** The busy window that asked for the probe under way: judged against its fresh reference. */
  private pending: number[] | null = null;

  constructor(options: FramePacingOptions) {
    this.o = {
      p95Ratio: 1.1,
      windowFrames: 120,
      probeFrames: 90,
      settleMs: 250,
      referenceMaxAgeMs: 30000,
      minLoad: 0.2,
      ...options,
    };
    this.load = options.load ?? options.maxLoad;
    this.clock =
      options.clock ??
      (typeof requestAnimationFrame === 'function'
        ? { now: () => performance.now(), requestFrame: (cb) => requestAnimationFrame(cb), cancelFrame: (id) => cancelAnimationFrame(id) }
        : null);
  }

  /** The p95 frame interval last measured while the worker rested (ms), if any. */
  get referenceP95(): number | null {
    return this.ref?.p95 ?? null;
  }

  /** Probe windows so far. */
  get probeCount(): number {
    return this.probes;
  }

  /** Whether the worker is asked to rest right now. */
  get resting(): boolean {
    return this.phase === 'probe';
  }

  /** Starts watching frames (nothing happens where requestAnimationFrame does not exist). */
  start(): void {
    const clock = this.clock;
    if (!clock || this.stopped) return;
    let last = -1;
    // clock.now(), not the rAF timestamp: the timestamp is snapped to the
    // frame clock and hides how late the frame's work actually started.
    const tick = (): void => {
      if (this.stopped) return;
      const now = clock.now();
      if (last >= 0 && now >= this.countFrom && now - last < GAP_MS) this.frame(now - last, now);
      last = now;
      this.request = clock.requestFrame(tick);
    };
    this.countFrom = clock.now() + this.o.settleMs;
    this.request = clock.requestFrame(tick);
  }

  /** Stops watching frames; a probe in progress ends, so the worker goes on. */
  stop(): void {
    this.stopped = true;
    if (this.request !== null) this.clock?.cancelFrame(this.request);
    this.request = null;
    if (this.phase === 'probe') this.o.rest(false);
    this.phase = 'busy';
    this.pending = null;
  }

  private frame(interval: number, now: number): void {
    this.samples.push(interval);
    if (this.phase === 'probe') {
      if (this.samples.length < this.o.probeFrames) return;
      // Pool with the previous probe when it is recent: 90 frames alone put the p95 of
      // rare late frames (5-10% of them) below them by chance now and then.
      const prev = this.ref && now - this.ref.at <= 2 * this.o.referenceMaxAgeMs ? this.ref.samples : [];
      this.ref = { p95: p95([...prev, ...this.samples]), at: now, unused: true, samples: this.samples };
      this.o.rest(false);
      const pending = this.pending;
      this.pending = null;
      // The window before the probe ran at the load still in force: judge it now
      // rather than spend another window (a back-off takes one probe cycle).
      this.countFrom = now + this.o.settleMs;
      if (pending) return this.judge(pending, now);
      this.begin('busy', now, true);
      return;
    }
    if (this.samples.length < this.o.windowFrames) return;
    this.judge(this.samples, now);
  }

  /** One decision on a busy window. */
  private judge(samples: number[], now: number): void {
    const busy = p95(samples);
    const even = busy <= median(samples) * this.o.p95Ratio;
    const ref = this.ref && now - this.ref.at <= this.o.referenceMaxAgeMs ? this.ref : null;
    if (even) {
      // Even frames: whatever the reference, the worker is not hurting them.
      return this.raise(now);
    }
    if (!ref) return this.probe(now, samples);
    const limit = ref.p95 * this.o.p95Ratio;
    if (busy > limit) {
      // A p95 over the limit means over 5% of the window is longer than it.
      // Rare late frames (a few %) put a 120-frame p95 on either side of the
      // limit by chance, so blame the worker only for a share above what
      // chance gives: 5% + 3 standard deviations (11% of 120 frames).
      const n = samples.length;
      const over = samples.filter((x) => x > limit).length / n;
      if (over < 0.05 + 3 * Math.sqrt((0.05 * 0.95) / n)) return this.begin('busy', now, false);
      // Each reference pays for one back-off at most: a reference that came
      // out low by chance cannot walk the load down on its own.
      if (!ref.unused) return this.probe(now, samples);
      ref.unused = false;
      return this.change(Math.max(this.o.minLoad, this.load * 0.8), now);
    }
    if (busy < limit * 0.97) return this.raise(now);
    this.begin('busy', now, false);
  }

  /** Comes back slowly (backing off is quick): +0.05 per window. */
  private raise(now: number): void {
    if (this.load < this.o.maxLoad) this.change(Math.min(this.o.maxLoad, this.load + 0.05), now);
    else this.begin('busy', now, false);
  }

  private change(next: number, now: number): void {
    if (Math.abs(next - this.load) >= 0.01) {
      this.load = next;
      this.o.setLoad(next);
    }
    this.begin('busy', now, true);
  }

  private probe(now: number, pending: number[]): void {
    this.probes++;
    this.pending = pending;
    this.o.rest(true);
    this.begin('probe', now, true);
  }

  /** A new window; `settle`: the worker's state just changed, skip the frames it needs to take effect. */
  private begin(phase: 'busy' | 'probe', now: number, settle: boolean): void {
    this.phase = phase;
    this.samples = [];
    if (settle) this.countFrom = now + this.o.settleMs;
  }
}
