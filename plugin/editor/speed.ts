/**
 * The editor's speed control: fixed time scales (scene steps per rendered
 * frame) and `max`, time-budget fast-forward (as many scene steps as fit
 * the frame's budget; see `QmixPlugin.timeBudgetMs`).
 */
import { el, labelled, option } from './dom.js';

/** What the speed control needs of the scene plugin (`QmixPlugin` fits). */
export interface SpeedTarget {
  timeScale: number;
  /** Time-budget fast-forward (ms per frame, null: off); absent on plugins without it. */
  timeBudgetMs?: number | null;
}

/** Fixed scales offered, then `max`. */
export const SPEEDS = [1, 2, 4, 8, 16, 32, 64] as const;

/** The per-frame budget `max` sets (ms): keeps a 60 Hz frame on time. */
export const MAX_SPEED_BUDGET_MS = 10;

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
  if (hasBudget) select.appendChild(option('max', 'max'));
  const apply = (value: string): void => {
    if (value === 'max' && hasBudget) {
      target.timeScale = 1;
      target.timeBudgetMs = MAX_SPEED_BUDGET_MS;
    } else {
      const n = Number(value);
      if (!SPEEDS.includes(n as (typeof SPEEDS)[number])) return;
      if (hasBudget) target.timeBudgetMs = null;
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
