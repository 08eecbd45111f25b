/**
 * The editor's "best so far" line: the greedy tests the worker runs on the
 * game's rules (whatever the experience comes from), the best policy kept so far
 * beside the latest test of the current one, and buttons to export or ship
 * the best.
 */
import { button, el } from './dom.js';

/** One round of greedy tests as the editor shows it (`WorkerTest` fits). */
export interface EditorTest {
  readonly envSteps: number;
  readonly episodes: number;
  readonly returnMean: number;
  readonly winRate: number | null;
  readonly score: number;
  readonly bestScore: number;
  readonly bestEnvSteps: number;
  readonly solved: boolean;
}

/**
 * @example
 * ```ts
 * const best = new BestPanel(section, { exportBest, shipBest });
 * trainer.on('test', (t) => best.show(t));
 * ```
 */
export class BestPanel {
  readonly element: HTMLElement;
  private readonly text: HTMLElement;
  private readonly exportButton: HTMLButtonElement;
  private readonly shipButton: HTMLButtonElement;

  constructor(actions: { exportBest(): void; shipBest(): void }) {
    this.element = el('div', { class: 'pq-best pq-row', 'aria-label': 'best policy so far' });
    this.text = el('span', { class: 'pq-meta', 'aria-live': 'polite' });
    this.exportButton = button('Export best', () => actions.exportBest());
    this.shipButton = button('Ship best', () => actions.shipBest());
    this.element.append(this.text, this.exportButton, this.shipButton);
    this.clear();
  }

  /** Shows a new test result. */
  show(t: EditorTest): void {
    const fmt = (score: number): string => (t.winRate !== null ? `${Math.round(score * 100)}% wins` : `return ${score.toFixed(2)}`);
    const steps = (n: number): string => n.toLocaleString('en-US');
    this.text.textContent =
      `best so far: ${fmt(t.bestScore)} (at ${steps(t.bestEnvSteps)} env steps) \u00b7 current: ${fmt(t.score)} ` +
      `over ${t.episodes} greedy test rounds at ${steps(t.envSteps)} steps${t.solved ? ' \u00b7 solved: training paused' : ''}`;
    this.exportButton.disabled = false;
    this.shipButton.disabled = false;
  }

  /** Back to "no test yet". */
  clear(): void {
    this.text.textContent = 'best so far: no greedy test yet';
    this.exportButton.disabled = true;
    this.shipButton.disabled = true;
  }
}
