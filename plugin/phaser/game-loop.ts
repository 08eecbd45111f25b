/**
 * Control over Phaser's game loop, one wrapper per game, for two things:
 *
 * - **A cap on the draw rate while a scene fast-forwards.** Drawing is what
 *   a page without a GPU pays most for (WebGL on a software rasteriser such
 *   as SwiftShader takes 30 ms or more of CPU a frame for the demo), and
 *   while training at top speed nobody needs 60 pictures a second: skipping
 *   draws hands that CPU to the simulation and the training worker.
 * - **A fixed real-time rate** ({@link playAtFixedRate}): scene steps at a
 *   set rate in real time whatever the display's refresh rate, so a game
 *   that counts frames (a squad deciding every 10 frames) plays at the same
 *   speed on 30, 60 and 144 Hz screens and on a slow machine.
 *
 * Phaser draws once per loop callback (`Game.step`: update, then render).
 * The wrapper runs that callback, or on a frame it need not draw the update
 * half only (the same events and scene updates, in the same order), and
 * leaves the canvas alone, so the browser keeps showing the last picture.
 */
import * as Phaser from 'phaser';

/** A scene plugin's say in the game loop. */
export interface RenderCapSource {
  /** The least time between draws this source wants now (ms), or null: no opinion (draw every frame for all it cares). */
  renderIntervalMs(): number | null;
  /** Whether it fast-forwards now (its own extra steps per frame): the fixed real-time rate stands aside meanwhile. */
  fastForwarding?(): boolean;
}

type Step = (time: number, delta: number) => void;
type GameInternals = Phaser.Game & { loop: { callback: Step }; pendingDestroy?: boolean; isPaused: boolean; scene: Phaser.Scenes.SceneManager & { isProcessing: boolean }; input: { keyboard: { postUpdate(): void } | null } };

interface LoopControl {
  readonly sources: Set<RenderCapSource>;
  /** The loop's own callback (Game.step bound), which the wrapper calls to draw. */
  original: Step;
  readonly wrapper: Step;
  lastDraw: number;
  skipped: number;
  /** Fixed real-time rate: ms per scene step (null: one step per frame). */
  stepMs: number | null;
  maxSteps: number;
  /** Real time not yet stepped (ms), and the last frame's time. */
  owed: number;
  lastTime: number;
}

const controls = new WeakMap<Phaser.Game, LoopControl>();

function control(game: Phaser.Game): LoopControl {
  const known = controls.get(game);
  if (known) return known;
  const g = game as GameInternals;
  const c: LoopControl = {
    sources: new Set(),
    original: g.loop.callback,
    lastDraw: -Infinity,
    skipped: 0,
    stepMs: null,
    maxSteps: 4,
    owed: 0,
    lastTime: -1,
    wrapper: (time, delta) => {
      if (g.pendingDestroy || g.isPaused) return c.original(time, delta);
      let steps = 1;
      let stepDelta = delta;
      let fastForward = false;
      for (const s of c.sources) fastForward ||= s.fastForwarding?.() === true;
      if (c.stepMs !== null && fastForward) {
        // Fast-forward's budget is per frame: one (fast-forwarded) step per frame, and no debt to pay after.
        c.owed = 0;
        c.lastTime = time;
      } else if (c.stepMs !== null) {
        // Real time since the last frame (a hidden tab's gap counts as one step, not a burst).
        const elapsed = c.lastTime < 0 || time - c.lastTime > 1000 ? c.stepMs : time - c.lastTime;
        c.lastTime = time;
        c.owed += elapsed;
        const due = Math.floor(c.owed / c.stepMs + 1e-6);
        c.owed -= due * c.stepMs;
        // A machine too slow for the rate plays slower rather than spiralling.
        steps = Math.min(due, c.maxSteps);
        if (steps === 0) {
          // Phaser's keyboard handles each key event as it arrives, replaying its
          // whole queue, and empties the queue at POST_STEP. A frame without a step
          // must empty it too, or the next key event replays this one (an arrow
          // pressed once stepped a menu two to four times).
          g.input.keyboard?.postUpdate();
          return;
        }
        stepDelta = c.stepMs;
      }
      let interval = 0;
      for (const s of c.sources) interval = Math.max(interval, s.renderIntervalMs() ?? 0);
      for (let k = 0; k < steps; k++) {
        const t = time - (steps - 1 - k) * stepDelta;
        // Half a frame of slack: animation-frame times jitter around their multiples.
        const draw = k === steps - 1 && (interval <= 0 || t - c.lastDraw >= interval - stepDelta / 2);
        if (draw) {
          c.lastDraw = t;
          c.original(t, stepDelta);
        } else {
          if (k === steps - 1) c.skipped++;
          updateOnly(g, t, stepDelta);
        }
      }
    },
  };
  controls.set(game, c);
  return c;
}

/** Makes the wrapper the loop's callback (Phaser hands the loop its callback only once booted, after scenes started during boot ran their create()). */
function ensureWrapped(game: Phaser.Game): void {
  const g = game as GameInternals;
  const c = control(game);
  if (g.loop.callback === c.wrapper) return;
  c.original = g.loop.callback;
  g.loop.callback = c.wrapper;
}

/** A source's place in a game's draw cap. */
export interface RenderCapMembership {
  /** Makes sure the loop runs through the cap: call it from a scene update (see {@link joinRenderCap}). */
  ensure(): void;
  /** Leaves the cap. */
  leave(): void;
}

/**
 * Joins `source` to the game's draw-rate cap. Call `ensure()` from a scene
 * update: scenes that start during boot run before Phaser gives the loop
 * its callback, which would replace a wrapper put there earlier.
 * @example
 * ```ts
 * const cap = joinRenderCap(scene.game, { renderIntervalMs: () => 100 });
 * // in the scene's update: cap.ensure();
 * // on shutdown: cap.leave();
 * ```
 */
export function joinRenderCap(game: Phaser.Game, source: RenderCapSource): RenderCapMembership {
  const c = control(game);
  c.sources.add(source);
  return {
    ensure() {
      if (c.sources.has(source)) ensureWrapped(game);
    },
    leave() {
      if (c.sources.delete(source)) release(game);
    },
  };
}

/** Gives the loop its own callback back once nothing needs the wrapper. */
function release(game: Phaser.Game): void {
  const c = controls.get(game);
  if (!c || c.sources.size > 0 || c.stepMs !== null) return;
  const g = game as GameInternals;
  if (g.loop.callback === c.wrapper) g.loop.callback = c.original;
  controls.delete(game);
}

/** Frames the cap left undrawn on `game` (0 without one). */
export function skippedDraws(game: Phaser.Game): number {
  return controls.get(game)?.skipped ?? 0;
}

/** Options of {@link playAtFixedRate}. */
export interface FixedRateOptions {
  /** Scene steps per second of real time. Default 60. */
  readonly hz?: number;
  /** Most scene steps in one frame when frames come late (a slow machine); beyond it the game slows down. Default 4. */
  readonly maxStepsPerFrame?: number;
}

/**
 * Steps the game at a fixed rate in real time: each animation frame runs as
 * many scene steps as the time since the last one calls for (none on a
 * 144 Hz display's extra frames, two at 30 Hz, up to `maxStepsPerFrame` on
 * a slow machine), draws after the last, and hands every step the same
 * delta. A game whose logic counts frames (`decisionPeriod: { frames }`,
 * tick counters) then plays at the same speed on any display. Fast-forward
 * (`timeScale`, `timeBudgetMs`) runs its extra steps on top, as before.
 * Returns a function that goes back to Phaser's own stepping.
 * @throws RangeError for a rate outside (0, 1000] or a bad step count
 * @example
 * ```ts
 * const game = new Phaser.Game(config);
 * playAtFixedRate(game); // 60 scene steps a second, on any screen
 * ```
 */
export function playAtFixedRate(game: Phaser.Game, options: FixedRateOptions = {}): () => void {
  const { hz = 60, maxStepsPerFrame = 4 } = options;
  if (!(Number.isFinite(hz) && hz > 0 && hz <= 1000)) throw new RangeError(`playAtFixedRate: hz must be in (0, 1000], got ${hz}`);
  if (!(Number.isInteger(maxStepsPerFrame) && maxStepsPerFrame >= 1 && maxStepsPerFrame <= 100)) {
    throw new RangeError(`playAtFixedRate: maxStepsPerFrame must be a whole number in 1..100, got ${maxStepsPerFrame}`);
  }
  const c = control(game);
  c.stepMs = 1000 / hz;
  c.maxSteps = maxStepsPerFrame;
  c.owed = 0;
  c.lastTime = -1;
  const g = game as GameInternals;
  // Before boot ends the loop has no callback yet: wrap on the first step.
  if (g.isRunning) ensureWrapped(game);
  const onStep = (): void => ensureWrapped(game);
  game.events.once(Phaser.Core.Events.STEP, onStep);
  return () => {
    game.events.off(Phaser.Core.Events.STEP, onStep);
    c.stepMs = null;
    release(game);
  };
}

/** `Game.step` without its render half. */
function updateOnly(g: GameInternals, time: number, delta: number): void {
  const events = g.events;
  events.emit(Phaser.Core.Events.PRE_STEP, time, delta);
  events.emit(Phaser.Core.Events.STEP, time, delta);
  g.scene.update(time, delta);
  events.emit(Phaser.Core.Events.POST_STEP, time, delta);
  // The scene manager's render clears this; queued scene operations wait on it.
  g.scene.isProcessing = false;
}
