/**
 * The training editor: a panel beside a running game that trains one squad
 * in the background, charts it, shows what each NPC thinks, saves and loads
 * checkpoints, exports and imports policy files, and ships the squad (greedy
 * decentralised play) and back. It talks to the squad through its public
 * API and to the trainer through its handle ({@link EditorTrainer}, which
 * `WorkerTrainer` implements), so it fits any squad, not only the demo's.
 * Plain DOM; charts on uPlot (load `uplot/dist/uPlot.min.css` in the page).
 */
import { validateConfig, type QmixConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import type { EnvSpec } from '../core/env.js';
import type { SquadTrainer } from '../core/trainer-handle.js';
import type { PolicyFile } from '../runtime/policy-file.js';
import { SquadEvents, type DecisionEvent, type EpisodeEndEvent } from '../phaser/events.js';
import type { Squad } from '../phaser/squad.js';
import { MetricChart } from './charts.js';

/** Backends the editor offers. */
export type EditorBackend = 'auto' | 'webgl' | 'wasm' | 'cpu';

/** Worker metrics the editor charts (a subset of `WorkerMetrics`). */
export interface EditorMetrics {
  readonly backend: string;
  readonly updates: number;
  readonly envSteps: number;
  readonly loss: number;
  readonly qTotMean: number;
  readonly epsilon: number;
  readonly updatesPerSec: number;
  readonly envStepsPerSec: number;
}

/** What the editor needs of a trainer: `WorkerTrainer` from `phaser-qmix/worker` fits. */
export interface EditorTrainer extends SquadTrainer {
  readonly backend: string | null;
  readonly envSteps: number;
  setPaused(paused: boolean): void;
  save(name: string, includeBuffer?: boolean): Promise<number>;
  restore(name: string): Promise<{ updates: number; envSteps: number; episodes: number }>;
  exportPolicy(): Promise<PolicyFile>;
  credit(qs: Float32Array, state: Float32Array): Promise<Float32Array | null>;
  on(event: 'metrics', fn: (m: EditorMetrics) => void): unknown;
  on(event: 'backend' | 'ready' | 'error' | 'fault', fn: (e: unknown) => void): unknown;
}

/** A saved checkpoint as the store lists it. */
export interface EditorCheckpointInfo {
  readonly name: string;
  readonly savedAt: string;
  readonly updates: number;
  readonly envSteps: number;
}

/** Options of {@link TrainingEditor}. */
export interface TrainingEditorOptions {
  /** Where the panel goes. */
  readonly container: HTMLElement;
  readonly squad: Squad;
  /** The scene plugin (for the time scale). */
  readonly plugin: { timeScale: number };
  /** Makes a trainer for the squad (the page decides how its worker starts). */
  readonly createTrainer: (spec: EnvSpec, config: Partial<QmixConfig>, options: { backend: EditorBackend; resume: boolean; autosaveName: string }) => EditorTrainer;
  /** Where checkpoints live (the one the trainer's worker saves to). */
  readonly store: { list(): Promise<readonly EditorCheckpointInfo[]> };
  /** Pauses and resumes the game itself (default: nothing; training still pauses). */
  readonly pauseGame?: (paused: boolean) => void;
  /** Whether an episode counts as a win (for the win-rate chart). */
  readonly isWin?: (e: EpisodeEndEvent) => boolean;
  /** A greedy test episode after every this many training episodes. Default 5. */
  readonly testEvery?: number;
  /** Starting hyperparameters. */
  readonly config?: Partial<QmixConfig>;
  /** Draw each NPC's action and Q-values over the game: the game canvas and the scene's size. */
  readonly overlay?: { readonly canvas: HTMLCanvasElement; readonly width: number; readonly height: number };
  /** Name of the trainer's autosave (offered again after a reload). Default `editor-autosave`. */
  readonly autosaveName?: string;
}

/** The hyperparameters the panel edits, with their input kind. */
const FIELDS: readonly { key: keyof QmixConfig; label: string; kind: 'number' | 'select'; options?: readonly string[]; step?: string }[] = [
  { key: 'agent', label: 'agent network', kind: 'select', options: ['mlp', 'gru'] },
  { key: 'hiddenDim', label: 'hidden units', kind: 'number', step: '1' },
  { key: 'lr', label: 'learning rate', kind: 'number', step: 'any' },
  { key: 'gamma', label: 'discount (gamma)', kind: 'number', step: 'any' },
  { key: 'batchSize', label: 'batch (episodes)', kind: 'number', step: '1' },
  { key: 'bufferSize', label: 'replay (episodes)', kind: 'number', step: '1' },
  { key: 'epsilonAnnealTime', label: 'epsilon anneal (steps)', kind: 'number', step: '1' },
  { key: 'targetUpdateInterval', label: 'target update (episodes)', kind: 'number', step: '1' },
  { key: 'tdLambda', label: 'TD lambda', kind: 'number', step: 'any' },
];

type Phase = 'idle' | 'starting' | 'running' | 'paused';

/**
 * The editor panel.
 * @example
 * ```ts
 * const editor = new TrainingEditor({
 *   container: document.getElementById('panel')!,
 *   squad, plugin: scene.qmix, store: new IdbCheckpointStore(),
 *   createTrainer: (spec, config, o) => new WorkerTrainer(spec, config, { ...o, createWorker: () => new Worker('/worker.js', { type: 'module' }) }),
 * });
 * ```
 */
export class TrainingEditor {
  private readonly o: TrainingEditorOptions;
  private readonly squad: Squad;
  private readonly root: HTMLElement;
  private readonly autosaveName: string;
  private trainer: EditorTrainer | null = null;
  private phase: Phase = 'idle';
  private config: Partial<QmixConfig>;
  private algo: 'qmix' | 'vdn' | 'iql';
  private backendChoice: EditorBackend = 'auto';
  private readonly startMode: Squad['mode'];
  private imported: object | null = null;
  private shipped = false;
  private episodesSinceTest = 0;
  private readonly recentWins: number[] = [];
  private creditAt = 0;
  private readonly charts: Record<'returns' | 'wins' | 'loss' | 'qtot' | 'epsilon' | 'speed', MetricChart>;
  private readonly el: Record<string, HTMLElement> = {};
  private readonly overlayLabels: HTMLElement[] = [];
  private overlayLayer: HTMLElement | null = null;
  private readonly cleanups: (() => void)[] = [];

  constructor(options: TrainingEditorOptions) {
    this.o = options;
    this.squad = options.squad;
    this.startMode = options.squad.mode;
    this.autosaveName = options.autosaveName ?? 'editor-autosave';
    const base = validateConfig(options.config ?? {});
    this.algo = base.mixer === 'none' ? 'iql' : base.mixer;
    this.config = { ...options.config };
    this.root = el('section', { class: 'pq-editor', 'aria-label': `Training editor: squad ${this.squad.name}` });
    options.container.appendChild(this.root);
    this.buildControls();
    this.buildSettings(base);
    const charts = el('div', { class: 'pq-charts' });
    this.root.appendChild(section('Charts', charts));
    this.charts = {
      returns: new MetricChart(charts, 'Team return', [
        { label: 'train', color: '#7fc97f' },
        { label: 'greedy test', color: '#ffb347' },
      ]),
      wins: new MetricChart(charts, 'Win rate', [
        { label: 'train (last 20)', color: '#7fc97f' },
        { label: 'greedy test', color: '#ffb347' },
      ]),
      loss: new MetricChart(charts, 'TD loss', [{ label: 'loss', color: '#e8604c' }]),
      qtot: new MetricChart(charts, 'Mean Q_tot', [{ label: 'Q_tot', color: '#8fb8ff' }]),
      epsilon: new MetricChart(charts, 'Epsilon', [{ label: 'epsilon', color: '#d7b4f3' }]),
      speed: new MetricChart(charts, 'Speed', [
        { label: 'updates/s', color: '#f0c23c' },
        { label: 'env steps/s / 10', color: '#4fd1c5' },
      ]),
    };
    this.buildInspect();
    this.buildCheckpoints();
    this.buildPolicy();
    this.listen();
    void this.offerAutosave();
    this.render();
  }

  /** The trainer while training runs (null when idle). */
  get currentTrainer(): EditorTrainer | null {
    return this.trainer;
  }

  /** `idle`, `starting`, `running` or `paused`. */
  get state(): Phase {
    return this.phase;
  }

  /** Points in each chart (for tests and curious pages). */
  get chartPoints(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.charts).map(([k, c]) => [k, c.points]));
  }

  /** Starts training with the current settings (resuming the autosave when asked). */
  async start(resume = false): Promise<void> {
    if (this.phase !== 'idle') return;
    this.phase = 'starting';
    this.busy('Starting the trainer (loading tfjs, choosing a backend)...');
    try {
      const spec = this.squad.resolveSpec();
      const trainer = this.o.createTrainer(spec, this.fullConfig(), { backend: this.backendChoice, resume, autosaveName: this.autosaveName });
      this.trainer = trainer;
      trainer.on('metrics', (m) => this.onMetrics(m));
      trainer.on('backend', () => this.render());
      trainer.on('ready', () => {
        this.busy(null);
        this.render();
      });
      trainer.on('error', (e) => this.say(`Trainer: ${(e as Error).message}`, true));
      trainer.on('fault', (f) => this.say(`The worker failed and was restarted: ${(f as { reason: string }).reason}`, true));
      this.squad.setTrainer(trainer);
      this.squad.setMode('train');
      this.shipped = false;
      this.phase = 'running';
      this.o.pauseGame?.(false);
      this.say(resume ? 'Training resumed from the autosave.' : 'Training started.');
    } catch (e) {
      this.phase = 'idle';
      this.busy(null);
      this.say((e as Error).message, true);
    }
    this.render();
  }

  /** Pauses training and the game; charts stop. */
  pause(): void {
    if (this.phase !== 'running' || !this.trainer) return;
    this.trainer.setPaused(true);
    this.o.pauseGame?.(true);
    this.phase = 'paused';
    this.say('Paused.');
    this.render();
  }

  resume(): void {
    if (this.phase !== 'paused' || !this.trainer) return;
    this.trainer.setPaused(false);
    this.o.pauseGame?.(false);
    this.phase = 'running';
    this.say('Training again.');
    this.render();
  }

  /** Stops training, drops the trainer and the charts; the squad goes back to how it started. */
  reset(): void {
    this.o.pauseGame?.(false);
    if (this.squad.mode === 'train' || this.shipped) {
      if (this.startMode !== 'train') {
        try {
          this.squad.setMode(this.startMode);
        } catch {
          this.squad.setMode('heuristic');
        }
      }
    }
    this.trainer?.dispose();
    this.trainer = null;
    this.phase = 'idle';
    this.shipped = false;
    this.episodesSinceTest = 0;
    this.recentWins.length = 0;
    for (const c of Object.values(this.charts)) c.clear();
    this.busy(null);
    this.say('Training reset.');
    this.render();
  }

  /** Greedy decentralised play with the current (or imported) policy; call again to go back. */
  async ship(): Promise<void> {
    if (this.shipped) {
      this.shipped = false;
      if (this.trainer) {
        this.squad.setMode('train');
        if (this.phase === 'paused') this.resume();
      }
      this.say('Back to training.');
      this.render();
      return;
    }
    try {
      const policy = this.imported ?? (this.trainer ? await this.withBusy('Exporting the policy...', () => this.trainer!.exportPolicy()) : null);
      if (!policy) throw new Error('nothing to ship: train the squad or import a policy file first');
      this.squad.setPolicy(policy);
      this.squad.setMode('greedy');
      this.shipped = true;
      this.say('Shipped: every NPC acts greedily on its own observation (no mixer, no training).');
    } catch (e) {
      this.say(`Cannot ship: ${(e as Error).message}`, true);
    }
    this.render();
  }

  /** Saves a named checkpoint of the running trainer. */
  async saveCheckpoint(name: string): Promise<void> {
    const trimmed = name.trim();
    if (!this.trainer) return this.say('Nothing to save: training has not started.', true);
    if (!/^[\w .-]{1,60}$/.test(trimmed)) return this.say('A checkpoint name is 1 to 60 letters, digits, spaces, dots, dashes or underscores.', true);
    try {
      const updates = await this.withBusy(`Saving "${trimmed}"...`, () => this.trainer!.save(trimmed));
      this.say(`Saved "${trimmed}" at ${updates} updates, ${this.trainer.envSteps} env steps.`);
    } catch (e) {
      this.say(`Saving failed: ${(e as Error).message}`, true);
    }
    await this.refreshCheckpoints();
  }

  /** Continues training from a saved checkpoint (starting a trainer first when idle). */
  async loadCheckpoint(name: string): Promise<void> {
    if (this.phase === 'idle') await this.start(false);
    if (!this.trainer) return;
    try {
      const r = await this.withBusy(`Loading "${name}"...`, () => this.trainer!.restore(name));
      this.say(`Loaded "${name}": ${r.updates} updates, ${r.envSteps} env steps; training continues from there.`);
    } catch (e) {
      this.say(`Loading failed: ${(e as Error).message}`, true);
    }
    this.render();
  }

  /** Loads a policy file (text or object) for shipping; a bad file is refused with the reason. */
  importPolicy(json: string | object): boolean {
    try {
      this.squad.setPolicy(json);
      this.imported = typeof json === 'string' ? JSON.parse(json) : json;
      const t = (this.imported as PolicyFile).training;
      this.say(`Imported a ${t.algorithm} policy (${t.updates} updates, ${t.envSteps} env steps). Press Ship to play it.`);
      this.render();
      return true;
    } catch (e) {
      this.say(`That policy file was refused: ${(e as Error).message}`, true);
      return false;
    }
  }

  /** The current policy file (from the trainer, else the imported one). */
  async currentPolicy(): Promise<object | null> {
    if (this.trainer) return this.trainer.exportPolicy();
    return this.imported;
  }

  /** Removes the panel and every listener; disposes the trainer the editor made. */
  destroy(): void {
    for (const c of this.cleanups) c();
    this.cleanups.length = 0;
    for (const c of Object.values(this.charts)) c.destroy();
    this.overlayLayer?.remove();
    this.trainer?.dispose();
    this.trainer = null;
    this.root.remove();
  }

  // ---- panel -------------------------------------------------------------

  private buildControls(): void {
    const bar = el('div', { class: 'pq-row' });
    this.el.start = button('Start', () => void this.start());
    this.el.pause = button('Pause', () => (this.phase === 'paused' ? this.resume() : this.pause()));
    this.el.reset = button('Reset', () => this.reset());
    this.el.ship = button('Ship', () => void this.ship());
    bar.append(this.el.start, this.el.pause, this.el.reset, this.el.ship);
    const speed = el('select', { id: 'pq-timescale', 'aria-label': 'time scale' }) as HTMLSelectElement;
    for (const v of [1, 2, 4, 8, 16]) speed.appendChild(option(String(v), `${v}x`));
    speed.value = String(this.o.plugin.timeScale);
    speed.addEventListener('change', () => (this.o.plugin.timeScale = Number(speed.value)));
    bar.append(labelled('speed', speed));
    this.el.status = el('p', { class: 'pq-status', 'aria-live': 'polite' });
    this.el.progress = el('div', { class: 'pq-progress', hidden: '' });
    this.el.progress.append(el('progress', { 'aria-label': 'working' }), el('span'));
    this.el.message = el('p', { class: 'pq-message', role: 'status' });
    this.el.banner = el('div', { class: 'pq-banner', hidden: '' });
    this.root.append(this.el.banner, section('Training', bar, this.el.status, this.el.progress, this.el.message));
  }

  private buildSettings(base: QmixConfig): void {
    const form = el('form', { class: 'pq-settings', novalidate: '' }) as HTMLFormElement;
    const algo = el('select', { name: 'algo' }) as HTMLSelectElement;
    for (const a of ['qmix', 'vdn', 'iql']) algo.appendChild(option(a, a.toUpperCase()));
    algo.value = this.algo;
    const backend = el('select', { name: 'backend' }) as HTMLSelectElement;
    for (const b of ['auto', 'webgl', 'wasm', 'cpu']) backend.appendChild(option(b, b));
    form.append(labelled('algorithm', algo), labelled('backend', backend));
    for (const f of FIELDS) {
      let input: HTMLInputElement | HTMLSelectElement;
      if (f.kind === 'select') {
        input = el('select', { name: f.key }) as HTMLSelectElement;
        for (const v of f.options!) input.appendChild(option(v, v));
      } else {
        input = el('input', { name: f.key, type: 'number', step: f.step ?? 'any', inputmode: 'decimal' }) as HTMLInputElement;
      }
      input.value = String(base[f.key]);
      form.append(labelled(f.label, input));
    }
    this.el.apply = el('button', { type: 'submit' }, 'Apply');
    this.el.settingsError = el('p', { class: 'pq-error', role: 'alert' });
    form.append(this.el.apply, this.el.settingsError);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.applySettings(form);
    });
    this.root.append(section('Settings', form));
  }

  private applySettings(form: HTMLFormElement): void {
    const data = new FormData(form);
    const next: Record<string, unknown> = {};
    for (const f of FIELDS) {
      const raw = String(data.get(f.key) ?? '').trim();
      next[f.key] = f.kind === 'select' ? raw : raw === '' ? Number.NaN : Number(raw);
    }
    const algo = String(data.get('algo')) as 'qmix' | 'vdn' | 'iql';
    try {
      validateConfig({ ...this.config, ...next, mixer: algo === 'iql' ? 'none' : algo });
    } catch (e) {
      this.el.settingsError.textContent = e instanceof ConfigError ? e.message : String(e);
      return;
    }
    this.el.settingsError.textContent = '';
    this.config = { ...this.config, ...(next as Partial<QmixConfig>) };
    this.algo = algo;
    this.backendChoice = String(data.get('backend')) as EditorBackend;
    const running = this.phase !== 'idle';
    this.say(running ? 'Settings saved: Reset and Start to train with them.' : 'Settings saved.');
  }

  private buildInspect(): void {
    const toggle = el('input', { type: 'checkbox', id: 'pq-show-q' }) as HTMLInputElement;
    toggle.addEventListener('change', () => this.showOverlay(toggle.checked));
    const box = el('label', { class: 'pq-check' });
    box.append(toggle, document.createTextNode(' show each NPC\u2019s action and Q-values over the game'));
    this.el.credit = el('div', { class: 'pq-credit', 'aria-label': 'credit from the mixer' });
    const note = el('p', { class: 'pq-note' }, 'Credit: dQ_tot/dQ_i of the mixer at the current state (who the team relies on).');
    this.root.append(section('Inside the squad', box, note, this.el.credit));
    this.squad.agents.forEach((_, i) => {
      const row = el('div', { class: 'pq-credit-row' });
      row.append(el('span', {}, `NPC ${i}`), el('span', { class: 'pq-bar' }), el('span', { class: 'pq-value' }, '-'));
      this.el.credit.appendChild(row);
    });
  }

  private buildCheckpoints(): void {
    const name = el('input', { type: 'text', name: 'checkpoint', placeholder: 'name', 'aria-label': 'checkpoint name' }) as HTMLInputElement;
    const save = button('Save checkpoint', () => void this.saveCheckpoint(name.value || `steps-${this.trainer?.envSteps ?? 0}`));
    this.el.saveCheckpoint = save;
    this.el.checkpoints = el('ul', { class: 'pq-list', 'aria-label': 'saved checkpoints' });
    const row = el('div', { class: 'pq-row' });
    row.append(name, save);
    this.root.append(section('Checkpoints', row, this.el.checkpoints));
    void this.refreshCheckpoints();
  }

  private buildPolicy(): void {
    const exportButton = button('Export policy', () => void this.download());
    this.el.exportPolicy = exportButton;
    const file = el('input', { type: 'file', accept: '.json,application/json', 'aria-label': 'import a policy file' }) as HTMLInputElement;
    file.addEventListener('change', () => {
      const f = file.files?.[0];
      if (f) void f.text().then((t) => this.importPolicy(t));
      file.value = '';
    });
    const drop = el('div', { class: 'pq-drop', tabindex: '0' }, 'or drop a policy file here');
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('pq-over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('pq-over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('pq-over');
      const f = e.dataTransfer?.files?.[0];
      if (f) void f.text().then((t) => this.importPolicy(t));
    });
    const row = el('div', { class: 'pq-row' });
    row.append(exportButton, file);
    this.root.append(section('Policy file', row, drop));
  }

  private async download(): Promise<void> {
    try {
      const policy = await this.withBusy('Exporting the policy...', async () => (await this.currentPolicy()) ?? this.squad.policy?.file ?? null);
      if (!policy) throw new Error('no policy yet: start training or import one');
      const url = URL.createObjectURL(new Blob([JSON.stringify(policy)], { type: 'application/json' }));
      const a = el('a', { href: url, download: `${this.squad.name}.policy.json` }) as HTMLAnchorElement;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      this.say('Policy exported.');
    } catch (e) {
      this.say(`Export failed: ${(e as Error).message}`, true);
    }
  }

  private async refreshCheckpoints(): Promise<void> {
    let list: readonly EditorCheckpointInfo[];
    try {
      list = await this.o.store.list();
    } catch (e) {
      this.say(`Cannot list checkpoints: ${(e as Error).message}`, true);
      return;
    }
    const ul = this.el.checkpoints;
    ul.replaceChildren();
    for (const c of [...list].sort((a, b) => b.savedAt.localeCompare(a.savedAt))) {
      const li = el('li');
      const when = new Date(c.savedAt);
      li.append(el('span', { class: 'pq-name' }, c.name), el('span', { class: 'pq-meta' }, `${when.toLocaleString()} \u00b7 ${c.envSteps} steps`), button('Load', () => void this.loadCheckpoint(c.name), `Load checkpoint ${c.name}`));
      ul.appendChild(li);
    }
    if (list.length === 0) ul.appendChild(el('li', { class: 'pq-note' }, 'none yet'));
  }

  private async offerAutosave(): Promise<void> {
    let list: readonly EditorCheckpointInfo[];
    try {
      list = await this.o.store.list();
    } catch {
      return;
    }
    const auto = list.find((c) => c.name === this.autosaveName);
    if (!auto || this.phase !== 'idle') return;
    const banner = this.el.banner;
    banner.replaceChildren(
      el('span', {}, `An autosave from ${new Date(auto.savedAt).toLocaleString()} (${auto.envSteps} env steps) is here.`),
      button('Resume it', () => {
        banner.hidden = true;
        void this.start(true);
      }),
      button('Dismiss', () => (banner.hidden = true)),
    );
    banner.hidden = false;
  }

  // ---- live data ---------------------------------------------------------

  private listen(): void {
    const onEnd = (e: EpisodeEndEvent): void => this.onEpisode(e);
    const onDecision = (e: DecisionEvent): void => this.onDecision(e);
    this.squad.on(SquadEvents.EPISODE_END, onEnd);
    this.squad.on(SquadEvents.DECISION, onDecision);
    this.cleanups.push(() => {
      this.squad.off(SquadEvents.EPISODE_END, onEnd);
      this.squad.off(SquadEvents.DECISION, onDecision);
    });
  }

  private onEpisode(e: EpisodeEndEvent): void {
    if (this.phase !== 'running' || !this.trainer || e.mode !== 'train') return;
    const x = this.trainer.envSteps;
    const win = this.o.isWin ? (this.o.isWin(e) ? 1 : 0) : null;
    if (e.test) {
      this.charts.returns.push(x, [null, e.teamReturn]);
      if (win !== null) this.charts.wins.push(x, [null, win]);
    } else {
      this.charts.returns.push(x, [e.teamReturn, null]);
      if (win !== null) {
        this.recentWins.push(win);
        if (this.recentWins.length > 20) this.recentWins.shift();
        this.charts.wins.push(x, [this.recentWins.reduce((a, b) => a + b, 0) / this.recentWins.length, null]);
      }
      if (++this.episodesSinceTest >= (this.o.testEvery ?? 5)) {
        this.episodesSinceTest = 0;
        this.squad.testNextEpisode();
      }
    }
  }

  private onMetrics(m: EditorMetrics): void {
    if (this.phase !== 'running') return; // paused: the charts hold still
    if (m.updates > 0) {
      this.charts.loss.push(m.envSteps, [m.loss]);
      this.charts.qtot.push(m.envSteps, [m.qTotMean]);
    }
    this.charts.epsilon.push(m.envSteps, [m.epsilon]);
    this.charts.speed.push(m.envSteps, [m.updatesPerSec, m.envStepsPerSec / 10]);
    this.render(m);
  }

  private onDecision(e: DecisionEvent): void {
    if (this.overlayLayer) this.drawOverlay(e.actions);
    if (e.mode !== 'train' || !this.trainer || this.phase !== 'running') return;
    const now = performance.now();
    if (now - this.creditAt < 400) return;
    const state = this.squad.lastState;
    if (!state) return;
    this.creditAt = now;
    const qs = new Float32Array(this.squad.agents.length);
    for (let i = 0; i < qs.length; i++) qs[i] = this.squad.qValues(i)?.[e.actions[i]] ?? 0;
    this.trainer.credit(qs, Float32Array.from(state)).then(
      (credit) => this.drawCredit(credit),
      () => {},
    );
  }

  private drawCredit(credit: Float32Array | null): void {
    const rows = this.el.credit.children;
    const max = credit ? Math.max(1e-6, ...Array.from(credit, Math.abs)) : 1;
    for (let i = 0; i < rows.length; i++) {
      const bar = rows[i].children[1] as HTMLElement;
      const value = rows[i].children[2] as HTMLElement;
      const c = credit?.[i];
      bar.style.width = c === undefined ? '0' : `${Math.round((Math.abs(c) / max) * 100)}%`;
      value.textContent = c === undefined ? 'no mixer' : c.toFixed(3);
    }
  }

  private showOverlay(on: boolean): void {
    if (!on) {
      this.overlayLayer?.remove();
      this.overlayLayer = null;
      this.overlayLabels.length = 0;
      return;
    }
    if (!this.o.overlay) return this.say('This page gave the editor no game canvas to draw on.', true);
    this.overlayLayer = el('div', { class: 'pq-overlay', 'aria-hidden': 'true' });
    document.body.appendChild(this.overlayLayer);
  }

  private drawOverlay(actions: Int32Array): void {
    const o = this.o.overlay!;
    const rect = o.canvas.getBoundingClientRect();
    const sx = rect.width / o.width;
    const sy = rect.height / o.height;
    const names = this.squad.envSpec?.actionNames;
    this.squad.agents.forEach((agent, i) => {
      let label = this.overlayLabels[i];
      if (!label) {
        label = el('div', { class: 'pq-npc' });
        this.overlayLabels[i] = label;
        this.overlayLayer!.appendChild(label);
      }
      const obj = agent.gameObject as { x?: number; y?: number } | null;
      const q = this.squad.qValues(i);
      if (!obj || obj.x === undefined || obj.y === undefined || !q) {
        label.hidden = true;
        return;
      }
      label.hidden = false;
      label.style.left = `${rect.left + window.scrollX + obj.x * sx}px`;
      label.style.top = `${rect.top + window.scrollY + obj.y * sy}px`;
      const a = actions[i];
      label.textContent = `${names?.[a] ?? a} ${Array.from(q, (v, k) => `${k === a ? '[' : ''}${v.toFixed(2)}${k === a ? ']' : ''}`).join(' ')}`;
    });
  }

  // ---- status ------------------------------------------------------------

  private render(m?: EditorMetrics): void {
    const t = this.trainer;
    const idle = this.phase === 'idle';
    (this.el.start as HTMLButtonElement).disabled = !idle;
    (this.el.pause as HTMLButtonElement).disabled = idle || this.phase === 'starting';
    this.el.pause.textContent = this.phase === 'paused' ? 'Resume' : 'Pause';
    (this.el.reset as HTMLButtonElement).disabled = idle && !this.shipped;
    this.el.ship.textContent = this.shipped ? 'Back to training' : 'Ship';
    (this.el.ship as HTMLButtonElement).disabled = !this.shipped && !t && !this.imported;
    (this.el.saveCheckpoint as HTMLButtonElement).disabled = !t;
    const metrics = m ?? null;
    const parts = [
      `algorithm ${this.algo.toUpperCase()}`,
      `backend ${t?.backend ?? (idle ? this.backendChoice : 'choosing...')}`,
      `${t?.envSteps ?? 0} env steps`,
      ...(metrics ? [`${metrics.updates} updates`, `epsilon ${metrics.epsilon.toFixed(2)}`] : []),
      `mode ${this.squad.mode}`,
      this.phase,
    ];
    this.el.status.textContent = parts.join(' \u00b7 ');
  }

  private say(text: string, error = false): void {
    this.el.message.textContent = text;
    this.el.message.classList.toggle('pq-error', error);
  }

  private busy(text: string | null): void {
    this.el.progress.hidden = text === null;
    (this.el.progress.lastChild as HTMLElement).textContent = text ?? '';
  }

  private async withBusy<T>(text: string, work: () => Promise<T>): Promise<T> {
    this.busy(text);
    try {
      return await work();
    } finally {
      this.busy(null);
    }
  }

  private fullConfig(): Partial<QmixConfig> {
    return { ...this.config, mixer: this.algo === 'iql' ? 'none' : this.algo };
  }
}

function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(text: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = el('button', { type: 'button', ...(label ? { 'aria-label': label } : {}) }, text) as HTMLButtonElement;
  b.addEventListener('click', onClick);
  return b;
}

function option(value: string, text: string): HTMLOptionElement {
  const o = el('option', { value }, text) as HTMLOptionElement;
  return o;
}

function labelled(text: string, control: HTMLElement): HTMLElement {
  const l = el('label', { class: 'pq-field' });
  l.append(el('span', {}, text), control);
  return l;
}

function section(title: string, ...children: HTMLElement[]): HTMLElement {
  const s = el('fieldset', { class: 'pq-section' });
  s.append(el('legend', {}, title), ...children);
  return s;
}
