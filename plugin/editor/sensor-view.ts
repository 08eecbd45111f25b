/**
 * The editor's sensor view: each NPC's ready-made sensors (rays, grid cells,
 * nearest-N lines) drawn over the game, like the Q-value labels: on a 2D
 * canvas laid over the game canvas, so the game's renderer is not touched.
 */
import type { SensorPen } from '../phaser/sensor-world.js';
import type { Squad } from '../phaser/squad.js';
import { el } from './dom.js';

/** Colours by target index; nothing hit is grey. */
export const TAG_COLOURS = ['#ff5a5a', '#4fc3f7', '#ffd54f', '#81c784', '#ba68c8', '#ff8a65'] as const;
const NOTHING = 'rgba(200, 200, 200, 0.55)';

function colour(tag: number): string {
  return tag < 0 ? NOTHING : TAG_COLOURS[tag % TAG_COLOURS.length];
}

/**
 * A checkbox in the panel and, when it is on, a canvas over the game that is
 * redrawn after each decision from what each agent's `observe` read
 * (`squad.traceSensors`).
 * @example
 * ```ts
 * const view = new SensorView(squad, panelSection, { canvas: game.canvas, width: 800, height: 600 });
 * squad.on('decision', () => view.decided());
 * ```
 */
export class SensorView {
  private layer: HTMLCanvasElement | null = null;
  readonly toggle: HTMLInputElement;
  /** The toggle's label and note: hidden until a decision shows that the squad reads sensors. */
  private readonly parts: readonly HTMLElement[];
  /** Tracing the first decision only to learn whether the squad reads sensors at all. */
  private probing = true;

  constructor(
    private readonly squad: Squad,
    parent: HTMLElement,
    private readonly overlay: { readonly canvas: HTMLCanvasElement; readonly width: number; readonly height: number } | null,
  ) {
    this.toggle = el('input', { type: 'checkbox', id: 'pq-show-sensors' }) as HTMLInputElement;
    this.toggle.addEventListener('change', () => this.show(this.toggle.checked));
    const box = el('label', { class: 'pq-check' });
    box.append(this.toggle, document.createTextNode(' draw each NPC\u2019s sensors (rays, grid cells) over the game, for squads that observe with obs.sensor()'));
    const note = el('p', { class: 'pq-note' }, 'Sensors: what obs.sensor(...) read at the last decision; colours by target (its tag), grey where a ray hits nothing.');
    this.parts = [box, note];
    // A squad that never calls obs.sensor() gets no toggle that would draw nothing.
    for (const p of this.parts) p.hidden = true;
    parent.append(box, note);
    squad.traceSensors(true);
  }

  /** Whether the toggle is on show (the squad read a sensor at the first decision the view saw). */
  get offered(): boolean {
    return !this.parts[0].hidden;
  }

  /** After each decision: redraw, when shown. */
  decided(): void {
    if (this.probing && this.squad.agents.length > 0) {
      this.probing = false;
      const reads = this.squad.agents.some((_, i) => this.squad.sensorsUsed(i).length > 0);
      for (const p of this.parts) p.hidden = !reads;
      if (!this.layer) this.squad.traceSensors(false);
    }
    if (!this.layer || !this.overlay) return;
    const o = this.overlay;
    const rect = o.canvas.getBoundingClientRect();
    const c = this.layer;
    // Over the game canvas, in its CSS pixels; world coordinates scaled to them (no camera scroll).
    c.style.left = `${rect.left + window.scrollX}px`;
    c.style.top = `${rect.top + window.scrollY}px`;
    c.style.width = `${rect.width}px`;
    c.style.height = `${rect.height}px`;
    if (c.width !== Math.round(rect.width) || c.height !== Math.round(rect.height)) {
      c.width = Math.round(rect.width);
      c.height = Math.round(rect.height);
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, c.width, c.height);
    const sx = c.width / o.width;
    const sy = c.height / o.height;
    const pen: SensorPen = {
      line(x0, y0, x1, y1, tag) {
        ctx.strokeStyle = colour(tag);
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x0 * sx, y0 * sy);
        ctx.lineTo(x1 * sx, y1 * sy);
        ctx.stroke();
        if (tag >= 0) {
          ctx.fillStyle = colour(tag);
          ctx.fillRect(x1 * sx - 2, y1 * sy - 2, 4, 4);
        }
      },
      cell(x, y, w, h, tag, on) {
        if (on) {
          ctx.fillStyle = colour(tag);
          ctx.globalAlpha = 0.35;
          ctx.fillRect(x * sx, y * sy, w * sx, h * sy);
          ctx.globalAlpha = 1;
        }
        ctx.strokeStyle = 'rgba(255, 255, 255, 0.25)';
        ctx.strokeRect(x * sx + 0.5, y * sy + 0.5, w * sx - 1, h * sy - 1);
      },
    };
    this.squad.agents.forEach((_, i) => {
      for (const use of this.squad.sensorsUsed(i)) use.sensor.draw?.(pen, use.from);
    });
  }

  destroy(): void {
    this.layer?.remove();
    this.layer = null;
    this.squad.traceSensors(false);
  }

  private show(on: boolean): void {
    if (!on) return this.destroy();
    if (!this.overlay) return;
    this.layer = el('canvas', { class: 'pq-sensor-layer', 'aria-hidden': 'true' }) as HTMLCanvasElement;
    Object.assign(this.layer.style, { position: 'absolute', pointerEvents: 'none', zIndex: '5' });
    document.body.appendChild(this.layer);
    this.squad.traceSensors(true);
  }
}
