/**
 * "Inside the squad": each NPC's chosen action and Q-values drawn over its
 * sprite (a DOM layer over the game canvas, so no renderer is touched), and
 * the mixer's credit per NPC, dQ_tot/dQ_i at the current state, as bars.
 */
import type { DecisionEvent } from '../phaser/events.js';
import type { Squad } from '../phaser/squad.js';
import { el, section } from './dom.js';
import { SensorView } from './sensor-view.js';

/** A label's size on screen, about (px): labels closer than this are stacked. */
const LABEL_W = 200;
const LABEL_H = 16;

/** Each action's initial when the initials tell them apart (stay, up, down, left, right: s u d l r), else null entries. */
export function shortNames(names: readonly string[] | undefined): readonly (string | null)[] {
  if (!names) return [];
  const initials = names.map((n) => n.charAt(0));
  return new Set(initials).size === initials.length ? initials : names.map(() => null);
}

function legendText(names: readonly string[] | undefined): string {
  const short = shortNames(names);
  return names && short.length > 0 && short.every((x) => x !== null)
    ? `Labels: NPC, chosen action, then each action's Q-value (${names.map((n, k) => `${short[k]} ${n}`).join(', ')}; the chosen one in brackets).`
    : "Labels: NPC, chosen action, then each action's Q-value by index (the chosen one in brackets).";
}

/** Credit requests at most this often (ms): a worker round trip each. */
const CREDIT_EVERY_MS = 400;

/** What the inspector asks of a trainer. */
export interface CreditSource {
  credit(qs: Float32Array, state: Float32Array): Promise<Float32Array | null>;
}

/**
 * The inspect section of the editor panel.
 * @example
 * ```ts
 * const inspector = new SquadInspector(squad, panel, { canvas: game.canvas, width: 800, height: 600 }, alert);
 * squad.on('decision', (e) => inspector.decided(e, trainer));
 * ```
 */
export class SquadInspector {
  private readonly credit: HTMLElement;
  private readonly labels: HTMLElement[] = [];
  private layer: HTMLElement | null = null;
  private creditAt = 0;
  private creditCleared: string | null = null;
  private readonly legend: HTMLElement;
  private readonly creditNote: HTMLElement;
  /** The sensors drawn over the game (rays, grid cells), beside the labels. */
  readonly sensors: SensorView;

  constructor(
    private readonly squad: Squad,
    parent: HTMLElement,
    private readonly overlay: { readonly canvas: HTMLCanvasElement; readonly width: number; readonly height: number } | null,
    private readonly complain: (text: string) => void,
  ) {
    const toggle = el('input', { type: 'checkbox', id: 'pq-show-q' }) as HTMLInputElement;
    toggle.addEventListener('change', () => this.show(toggle.checked));
    const box = el('label', { class: 'pq-check' });
    box.append(toggle, document.createTextNode(' show each NPC\u2019s action and Q-values over the game'));
    this.legend = el('p', { class: 'pq-note' }, legendText(squad.envSpec?.actionNames));
    this.credit = el('div', { class: 'pq-credit', 'aria-label': 'credit from the mixer' });
    const note = el('p', { class: 'pq-note' }, 'Credit: dQ_tot/dQ_i of the mixer at the current state (who the team relies on).');
    this.creditNote = el('p', { class: 'pq-note pq-credit-note', 'aria-live': 'polite' });
    const sensorBox = el('div', { class: 'pq-sensors' });
    parent.append(section('Inside the squad', box, this.legend, sensorBox, note, this.creditNote, this.credit));
    this.sensors = new SensorView(squad, sensorBox, overlay);
    squad.agents.forEach((_, i) => {
      const row = el('div', { class: 'pq-credit-row' });
      row.append(el('span', {}, `NPC ${i}`), el('span', { class: 'pq-bar' }), el('span', { class: 'pq-value' }, '-'));
      this.credit.appendChild(row);
    });
  }

  /** After each decision: redraw the labels; now and then ask `trainer` (null: not training) for credit. */
  decided(e: DecisionEvent, trainer: CreditSource | null): void {
    // The spec (and its action names) is known once the squad decided.
    const text = legendText(this.squad.envSpec?.actionNames);
    if (this.legend.textContent !== text) this.legend.textContent = text;
    if (this.layer) this.drawLabels(e.actions);
    this.sensors.decided();
    if (e.mode !== 'train' || !trainer) {
      // Greedy play has no mixer and no state: the bars must not keep a training run's values.
      this.clearCredit(e.mode === 'greedy' ? 'greedy play: no mixer' : 'not training');
      return;
    }
    if (this.creditCleared !== null) this.creditNote.textContent = '';
    this.creditCleared = null;
    const now = performance.now();
    const state = this.squad.lastState;
    if (now - this.creditAt < CREDIT_EVERY_MS || !state) return;
    this.creditAt = now;
    const qs = new Float32Array(this.squad.agents.length);
    for (let i = 0; i < qs.length; i++) qs[i] = this.squad.qValues(i)?.[e.actions[i]] ?? 0;
    trainer.credit(qs, Float32Array.from(state)).then(
      (credit) => this.drawCredit(credit),
      () => {}, // a restarting worker: the next decision asks again
    );
  }

  destroy(): void {
    this.hideLabels();
    this.sensors.destroy();
  }

  private hideLabels(): void {
    this.layer?.remove();
    this.layer = null;
  }

  private show(on: boolean): void {
    if (!on) {
      this.hideLabels();
      this.labels.length = 0;
      return;
    }
    if (!this.overlay) return this.complain('This page gave the editor no game canvas to draw on.');
    this.layer = el('div', { class: 'pq-overlay', 'aria-hidden': 'true' });
    document.body.appendChild(this.layer);
  }

  private drawLabels(actions: Int32Array): void {
    const o = this.overlay!;
    const rect = o.canvas.getBoundingClientRect();
    const sx = rect.width / o.width;
    const sy = rect.height / o.height;
    const names = this.squad.envSpec?.actionNames;
    const short = shortNames(names);
    const placed: { x: number; y: number }[] = [];
    this.squad.agents.forEach((agent, i) => {
      let label = this.labels[i];
      if (!label) {
        label = el('div', { class: 'pq-npc' });
        this.labels[i] = label;
        this.layer!.appendChild(label);
      }
      const obj = agent.gameObject as { x?: number; y?: number } | null;
      const q = this.squad.qValues(i);
      if (!obj || obj.x === undefined || obj.y === undefined || !q) {
        label.hidden = true;
        return;
      }
      label.hidden = false;
      const x = rect.left + window.scrollX + obj.x * sx;
      let y = rect.top + window.scrollY + obj.y * sy;
      // NPCs side by side: stack their labels instead of drawing one over the other.
      while (placed.some((p) => Math.abs(p.x - x) < LABEL_W && Math.abs(p.y - y) < LABEL_H)) y -= LABEL_H;
      placed.push({ x, y });
      label.style.left = `${x}px`;
      label.style.top = `${y}px`;
      const a = actions[i];
      label.textContent = `NPC ${i}: ${names?.[a] ?? a}  ${Array.from(q, (v, k) => `${short[k] ?? k}${k === a ? `[${v.toFixed(2)}]` : ` ${v.toFixed(2)}`}`).join(' ')}`;
    });
  }

  private clearCredit(reason: string): void {
    if (this.creditCleared === reason) return;
    this.creditCleared = reason;
    this.creditNote.textContent = `No credit now: ${reason}.`;
    for (const row of Array.from(this.credit.children)) {
      (row.children[1] as HTMLElement).style.width = '0';
      (row.children[2] as HTMLElement).textContent = '-';
    }
  }

  private drawCredit(credit: Float32Array | null): void {
    if (this.creditCleared !== null) return; // an answer that arrived after training stopped
    const rows = this.credit.children;
    const max = credit ? Math.max(1e-6, ...Array.from(credit, Math.abs)) : 1;
    for (let i = 0; i < rows.length; i++) {
      const bar = rows[i].children[1] as HTMLElement;
      const value = rows[i].children[2] as HTMLElement;
      const c = credit?.[i];
      bar.style.width = c === undefined ? '0' : `${Math.round((Math.abs(c) / max) * 100)}%`;
      value.textContent = c === undefined ? 'no mixer' : c.toFixed(3);
    }
  }
}
