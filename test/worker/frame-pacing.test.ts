// The adaptive load against a fake frame clock: frames whose lateness does
// not depend on the worker leave the load at its max; frames that stretch
// only while the worker is busy make it back off, and it recovers when they
// stop doing so.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FramePacing, type FrameClock } from '../../plugin/worker/frame-pacing.js';
import { Rng } from '../../plugin/core/rng.js';

interface Worker {
  load: number;
  resting: boolean;
}

/**
 * A simulated game loop: each frame's interval comes from `interval(worker, i)`,
 * where `worker` is what the pacing last told the worker (load, resting).
 */
class FakeFrames implements FrameClock {
  t = 0;
  frames = 0;
  private pending: (() => void) | null = null;
  readonly worker: Worker = { load: 1, resting: false };
  readonly loads: number[] = [];
  readonly rests: boolean[] = [];
  /** Fake time the worker spent resting. */
  restedMs = 0;
  constructor(public interval: (w: Worker, i: number) => number) {}
  now(): number {
    return this.t;
  }
  requestFrame(cb: () => void): number {
    this.pending = cb;
    return 1;
  }
  cancelFrame(): void {
    this.pending = null;
  }
  /** Runs frames for `ms` of fake time. */
  run(ms: number): void {
    const end = this.t + ms;
    while (this.t < end && this.pending) {
      const dt = this.interval(this.worker, this.frames++);
      this.t += dt;
      if (this.worker.resting) this.restedMs += dt;
      const cb = this.pending;
      this.pending = null;
      cb();
    }
  }
  pacing(maxLoad = 1): FramePacing {
    this.worker.load = maxLoad;
    return new FramePacing({
      maxLoad,
      clock: this,
      setLoad: (l) => {
        this.worker.load = l;
        this.loads.push(l);
      },
      rest: (r) => {
        this.worker.resting = r;
        this.rests.push(r);
      },
    });
  }
}

const FRAME = 1000 / 60;

describe('FramePacing (the adaptive load)', () => {
  test('even frames: no probe, no change', () => {
    const rng = new Rng(1);
    const clock = new FakeFrames(() => FRAME + rng.uniform(-0.3, 0.3));
    const p = clock.pacing();
    p.start();
    clock.run(120000);
    assert.equal(p.probeCount, 0, 'the worker is never asked to rest when frames are even');
    assert.deepEqual(clock.loads, []);
    assert.equal(p.load, 1);
  });

  test('uneven frames that do not depend on the load: the load stays at its max', () => {
    // A busy machine: a dropped frame every 5th (p95 twice the median), and
    // separately frames spread uniformly over 12-30 ms; neither cares about the worker.
    const rng = new Rng(2);
    for (const interval of [(_w: Worker, i: number) => (i % 5 === 0 ? 2 * FRAME : FRAME + rng.uniform(-0.3, 0.3)), () => rng.uniform(12, 30)]) {
      const clock = new FakeFrames(interval);
      const p = clock.pacing();
      p.start();
      clock.run(300000);
      assert.ok(p.probeCount >= 5, `the pacing looked (${p.probeCount} probes)`);
      assert.deepEqual(clock.loads, [], 'the load never moved');
      assert.equal(p.load, 1);
      // Probes are short and rare: the worker rests under a tenth of the time.
      assert.ok(clock.restedMs < 300000 * 0.1, `${p.probeCount} probes, rested ${clock.restedMs} ms of 300 s`);
    }
  });

  test('late frames at random (3-20% of them, whatever the worker does): the load stays near its max', () => {
    for (const rate of [0.03, 0.1, 0.2]) {
      const rng = new Rng(4);
      const clock = new FakeFrames(() => (rng.next() < rate ? 2 * FRAME + rng.uniform(0, 20) : FRAME + rng.uniform(-0.5, 0.5)));
      const p = clock.pacing();
      p.start();
      let loadTime = 0;
      for (let s = 0; s < 600; s++) {
        clock.run(1000);
        loadTime += p.load;
      }
      // A window's p95 lands on either side of the limit by chance here; only a share of
      // late frames beyond chance counts, so at most a rare single step down (x0.8).
      assert.ok(loadTime / 600 > 0.95, `rate ${rate}: mean load ${loadTime / 600}`);
      assert.ok(Math.min(1, ...clock.loads) >= 0.6, `rate ${rate}: lowest ${Math.min(...clock.loads)}`);
    }
  });

  test('frames only a little later while the worker is busy (+0-4 ms on a third of them): it backs off', () => {
    const rng = new Rng(5);
    const clock = new FakeFrames((w) => FRAME + rng.uniform(-0.3, 0.3) + (!w.resting && w.load > 0.5 && rng.next() < 0.33 ? rng.uniform(0, 4) : 0));
    const p = clock.pacing();
    p.start();
    clock.run(60000);
    assert.ok(p.load <= 0.6, `backed off: ${p.load}`);
  });

  test('frames that stretch only while the load is high: it backs off, then recovers', () => {
    let workerHurts = true;
    const rng = new Rng(3);
    // Above a duty cycle of 0.6 (and not resting) every 4th frame is dropped.
    const clock = new FakeFrames((w, i) => (workerHurts && !w.resting && w.load > 0.6 && i % 4 === 0 ? 2 * FRAME : FRAME + rng.uniform(-0.3, 0.3)));
    const p = clock.pacing();
    p.start();
    clock.run(60000);
    assert.ok(p.load <= 0.65 && p.load >= 0.4, `settled near the load that keeps frames even: ${p.load}`);
    assert.ok(Math.min(...clock.loads) >= 0.4, `never far below it: ${Math.min(...clock.loads)}`);
    assert.ok(p.referenceP95 !== null && p.referenceP95 < FRAME * 1.05, `reference measured at rest: ${p.referenceP95}`);
    assert.equal(clock.rests.filter((r) => r).length, clock.rests.filter((r) => !r).length, 'every rest ended');

    // The game gets lighter: the worker no longer hurts the frames.
    workerHurts = false;
    clock.run(60000);
    assert.equal(p.load, 1, 'back at the max');
    assert.equal(clock.worker.resting, false);
  });

  test('stop() during a probe lets the worker go on', () => {
    const clock = new FakeFrames((_w, i) => (i % 5 === 0 ? 2 * FRAME : FRAME));
    const p = clock.pacing();
    p.start();
    while (!p.resting) clock.run(100);
    p.stop();
    assert.equal(clock.worker.resting, false);
    assert.equal(clock.rests.at(-1), false);
  });

  test('without requestAnimationFrame (Node) start() does nothing', () => {
    const changes: unknown[] = [];
    const p = new FramePacing({ maxLoad: 1, setLoad: (l) => changes.push(l), rest: (r) => changes.push(r) });
    p.start();
    p.stop();
    assert.deepEqual(changes, []);
  });
});
