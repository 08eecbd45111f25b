/**
 * The editor's speed control: fixed time scales (scene steps per rendered
 * frame) and `max`, time-budget fast-forward (as many scene steps as fit
 * the frame's budget; see `QmixPlugin.timeBudgetMs`), drawn at most
 * {@link MAX_SPEED_RENDER_FPS} times a second (`QmixPlugin.renderFps`).
 */
import { el, labelled, option } from './dom.js';

/** What the speed control needs of the scene plugin (`QmixPlugin` fits). */
export interface SpeedTarget {
  timeScale: number;
  /** Time-budget fast-forward (ms per frame, null: off); absent on plugins without it. */
  timeBudgetMs?: number | null;
  /** Draw-rate cap while fast-forwarding (frames/s, null: every frame); absent on plugins without it. */
  renderFps?: number | null;
}

/** Fixed scales offered, then `max`. */
export const SPEEDS = [1, 2, 4, 8, 16, 32, 64] as const;

/** The per-frame budget `max` sets (ms): keeps a 60 Hz frame on time. */
export const MAX_SPEED_BUDGET_MS = 10;

/**
 * Pictures a second at `max`: enough to watch the squad, and on a machine
 * without a GPU the draws it skips more than double the training rate
 * (Carrot Heist's arenas: 597 -> 1,135 env steps/s in headless Chromium on
 * SwiftShader, 2 cores; docs/worker.md).
 */
export const MAX_SPEED_RENDER_FPS = 10;

/**
 * Builds the select; returns its labelled element and a setter.
 * @example
 * ```ts
 * const speed = speedControl(scene.qmix, (v) => save('speed', v));
 * bar.append(speed.element);
 * speed.set('max');
 * ```
 */
export function speedControl(target: SpeedTarget, onChange: (value: string) => void = () => {}): { element: HTMLElement; set(value: string): void; readonly value: string } {
  const select = el('select', { id: 'pq-timescale', 'aria-label': 'time scale' }) as HTMLSelectElement;
  for (const v of SPEEDS) select.appendChild(option(String(v), `${v}x`));
  const hasBudget = 'timeBudgetMs' in target;
  const hasCap = 'renderFps' in target;
  if (hasBudget) select.appendChild(option('max', 'max'));
  const apply = (value: string): void => {
    if (value === 'max' && hasBudget) {
      target.timeScale = 1;
      target.timeBudgetMs = MAX_SPEED_BUDGET_MS;
      if (hasCap) target.renderFps = MAX_SPEED_RENDER_FPS;
    } else {
      const n = Number(value);
      if (!SPEEDS.includes(n as (typeof SPEEDS)[number])) return;
      if (hasBudget) target.timeBudgetMs = null;
      if (hasCap) target.renderFps = null;
      target.timeScale = n;
    }
    select.value = value;
  };
  select.value = hasBudget && target.timeBudgetMs != null ? 'max' : String(target.timeScale);
  select.addEventListener('change', () => {
    apply(select.value);
    onChange(select.value);
  });
  return {
    element: labelled('speed', select),
    set: apply,
    get value() {
      return select.value;
    },
  };
}
