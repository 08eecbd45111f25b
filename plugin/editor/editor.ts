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
import type { PolicyFile } from '../runtime/policy-file.js';
import { SquadEvents, type DecisionEvent, type EpisodeEndEvent } from '../phaser/events.js';
import type { Squad } from '../phaser/squad.js';
import { TrainingCharts } from './training-charts.js';
import { EditorPrefsStore } from './persist.js';
import { ChartHistoryStore, ChartKeeper, type ChartHistory } from './chart-history.js';
import { button, el, labelled, option, section } from './dom.js';
import { SquadInspector } from './inspect.js';
import { DemosPanel } from './demos-panel.js';
import { SettingsForm, type EditorAlgo } from './settings.js';
import { FilesPanel } from './files.js';
import { BestPanel, type EditorTest } from './best.js';
import { PaceReport } from './pace.js';
import { speedControl } from './speed.js';
import type { EditorBackend, EditorCheckpointInfo, EditorMetrics, EditorTrainer, TrainingEditorOptions } from './editor-types.js';

export type { EditorBackend, EditorCheckpointInfo, EditorMetrics, EditorPacing, EditorRules, EditorTrainer, TrainingEditorOptions } from './editor-types.js';

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
  private algo: EditorAlgo;
  private backendChoice: EditorBackend = 'auto';
  /** Where experience comes from: the worker's env copies or the scene. */
  private source: 'arenas' | 'rules' | 'scene';
  private readonly best: BestPanel;
  private readonly pace = new PaceReport();
  private readonly startMode: Squad['mode'];
  private imported: object | null = null;
  private shipped = false;
  private episodesSinceTest = 0;
  private readonly charts: TrainingCharts;
  private readonly el: Record<string, HTMLElement> = {};
  private readonly inspector: SquadInspector;
  private readonly files: FilesPanel;
  private readonly demos: DemosPanel;
  private readonly cleanups: (() => void)[] = [];
  private readonly prefs: EditorPrefsStore;
  /** The charts' history kept with the autosave and each named checkpoint. */
  private readonly history: ChartKeeper;
  private speed!: { readonly value: string };
  private readonly settings: SettingsForm;

  constructor(options: TrainingEditorOptions) {
    this.o = options;
    this.squad = options.squad;
    this.startMode = options.squad.mode;
    this.autosaveName = options.autosaveName ?? 'editor-autosave';
    // Settings applied before a reload come back (the page's own config under them).
    const key = options.settingsKey === undefined ? `phaser-qmix-editor:${this.autosaveName}` : options.settingsKey;
    this.prefs = new EditorPrefsStore(key);
    const saved = this.prefs.load(options.config ?? {});
    this.config = { ...options.config, ...saved.config };
    const page = validateConfig(this.config);
    this.algo = saved.algo ?? (page.mixer === 'none' ? 'iql' : page.mixer);
    const base = validateConfig({ ...this.config, mixer: this.algo === 'iql' ? 'none' : this.algo });
    if (saved.backend === 'auto' || saved.backend === 'webgl' || saved.backend === 'wasm' || saved.backend === 'cpu') this.backendChoice = saved.backend;
    const sources = [...(this.arenaCount() > 1 ? ['arenas'] : []), ...(options.rules ? ['rules'] : []), 'scene'];
    this.source = (saved.source && sources.includes(saved.source) ? saved.source : sources[0]) as 'arenas' | 'rules' | 'scene';
    this.root = el('section', { class: 'pq-editor', 'aria-label': `Training editor: squad ${this.squad.name}` });
    options.container.appendChild(this.root);
    // Phaser's keyboard listens on the window: keys typed into the panel's
    // fields must not reach the game's hotkeys (typing "b" in a name box
    // would switch the squad's mode).
    for (const type of ['keydown', 'keyup'] as const) this.root.addEventListener(type, (e) => e.stopPropagation());
    this.best = new BestPanel({ exportBest: () => void this.download('best'), shipBest: () => void this.ship('best') });
    this.buildControls(saved.speed);
    this.settings = new SettingsForm(
      this.root,
      base,
      (config, algo, backend) => {
        this.config = { ...this.config, ...config };
        this.algo = algo;
        this.backendChoice = backend;
        this.prefs.save({ config: this.config, algo, backend });
        this.say(this.phase !== 'idle' ? 'Settings saved: Reset and Start to train with them.' : 'Settings saved.');
      },
      this.backendChoice,
    );
    const charts = el('div', { class: 'pq-charts' });
    const chartsSection = section('Charts', charts);
    if (options.winMeaning) chartsSection.appendChild(el('p', { class: 'pq-note pq-win-meaning' }, `A win: ${options.winMeaning}. Rates are over the last 20 episodes (the worker's tests: over each round).`));
    this.root.appendChild(chartsSection);
    this.charts = new TrainingCharts(charts);
    this.history = new ChartKeeper(new ChartHistoryStore(key), this.charts, this.autosaveName);
    this.inspector = new SquadInspector(this.squad, this.root, options.overlay ?? null, (text) => this.say(text, true));
    this.files = new FilesPanel(this.root, {
      save: (name) => void this.saveCheckpoint(name || `steps-${this.trainer?.envSteps ?? 0}`),
      load: (name) => void this.loadCheckpoint(name),
      exportPolicy: () => void this.download(),
      importPolicy: (text) => this.importPolicy(text),
    });
    this.demos = new DemosPanel(this.root, { squad: this.squad, trainer: () => this.trainer, training: () => this.phase !== 'idle', say: (t, alert) => this.say(t, alert), download: (n, t) => this.files.download(n, t) });
    void this.refreshCheckpoints();
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
    return this.charts.points;
  }

  /** A copy of every chart's points (what is kept with the autosave and each checkpoint). */
  get chartData(): ChartHistory {
    return this.charts.snapshot();
  }

  /** Starts training with the current settings (resuming the autosave when asked). */
  async start(resume = false): Promise<void> {
    if (this.phase !== 'idle') return;
    this.phase = 'starting';
    this.busy('Starting the trainer (loading tfjs, choosing a backend)...');
    try {
      const spec = this.squad.resolveSpec();
      // Rules mode: the worker steps env copies; otherwise, when the page names its
      // rules, the worker uses them for its greedy tests only (copies 0): keep-best
      // and stop-when-solved for arenas and the scene too.
      const rules = !this.o.rules ? null : this.source === 'rules' ? this.o.rules : { ...this.o.rules, copies: 0 };
      const trainer = this.o.createTrainer(spec, this.fullConfig(), { backend: this.backendChoice, resume, autosaveName: this.autosaveName, rules });
      this.trainer = trainer;
      trainer.on('metrics', (m) => this.onMetrics(m));
      trainer.on('test', (t) => this.onTest(t));
      trainer.on('backend', () => this.render());
      let first = true;
      this.history.begin(!resume);
      trainer.on('ready', (e) => {
        this.busy(null);
        // A resumed autosave brings its charts back (a restart after a fault keeps the ones shown).
        if (first && resume && (e as { resumedFromUpdates: number | null }).resumedFromUpdates !== null) {
          this.history.continueFrom(this.autosaveName, trainer.envSteps);
        }
        first = false;
        this.render();
      });
      trainer.on('error', (e) => this.say(`Trainer: ${(e as Error).message}`, true));
      trainer.on('fault', (f) => this.say(`The worker failed and was restarted: ${(f as { reason: string }).reason}`, true));
      trainer.on('rollback', (r) => {
        const info = r as { update: number; reason: string; rolledBackTo: number };
        this.say(`Training diverged at update ${info.update} (${info.reason}): rolled back to update ${info.rolledBackTo}; training goes on.`, true);
      });
      trainer.on('diverged', (d) => this.onDiverged((d as { message: string }).message));
      this.squad.setTrainer(trainer);
      void this.demos.sendTo(trainer);
      this.fitLoad();
      this.squad.setMode('train');
      if (this.source === 'arenas') this.o.plugin.startArenas!(this.arenaCount());
      this.shipped = false;
      this.phase = 'running';
      this.o.pauseGame?.(false);
      this.say(resume ? `Training resumed from the autosave${this.o.store.load ? ', with its own settings (shown in the form)' : ''}.` : 'Training started.');
    } catch (e) {
      // Nothing half-started stays behind: no trainer, no arenas, the squad as it was.
      this.o.plugin.stopArenas?.();
      if (this.trainer) {
        try {
          if (this.squad.mode === 'train') this.squad.setMode(this.startMode === 'train' ? 'heuristic' : this.startMode);
        } catch {
          this.squad.setMode('heuristic');
        }
        this.trainer.dispose();
        this.trainer = null;
      }
      this.phase = 'idle';
      this.busy(null);
      this.say(`Could not start training: ${(e as Error).message}`, true);
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
    this.o.plugin.stopArenas?.();
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
    this.charts.clear();
    this.best.clear();
    this.busy(null);
    this.say('Training reset.');
    this.render();
  }

  /**
   * Greedy decentralised play with the current (or imported) policy, or with
   * the best one the worker's tests kept (`which: 'best'`, rules mode); call
   * again to go back.
   */
  async ship(which: 'current' | 'best' = 'current'): Promise<void> {
    if (this.shipped && which === 'current') {
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
      const fromTrainer = (): Promise<PolicyFile> => this.trainer!.exportPolicy(which);
      const policy = which === 'best' && this.trainer ? await this.withBusy('Exporting the best policy...', fromTrainer) : (this.imported ?? (this.trainer ? await this.withBusy('Exporting the policy...', fromTrainer) : null));
      if (!policy) throw new Error('nothing to ship: train the squad or import a policy file first');
      this.squad.setPolicy(policy);
      this.squad.setMode('greedy');
      this.shipped = true;
      this.say(`Shipped${which === 'best' ? ' the best policy so far' : ''}: every NPC acts greedily on its own observation (no mixer, no training).`);
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
      this.history.saved(trimmed);
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
      // The charts told the story of the run the checkpoint replaces: show the checkpoint's own, if kept.
      this.history.continueFrom(name, r.envSteps);
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
    this.charts.destroy();
    this.inspector.destroy();
    this.o.plugin.stopArenas?.();
    this.trainer?.dispose();
    this.trainer = null;
    this.root.remove();
  }

  /** Arenas the page asked for, when the plugin has them (1: none). */
  private arenaCount(): number {
    return this.o.arenas !== undefined && this.o.arenas > 1 && typeof this.o.plugin.startArenas === 'function' ? this.o.arenas : 1;
  }

  // ---- panel -------------------------------------------------------------

  private buildControls(speed: string | undefined): void {
    const bar = el('div', { class: 'pq-row' });
    this.el.start = button('Start', () => void this.start());
    this.el.pause = button('Pause', () => (this.phase === 'paused' ? this.resume() : this.pause()));
    this.el.pause.classList.add('pq-pause'); // as wide as "Resume": the buttons beside it stay put
    this.el.reset = button('Reset', () => this.reset());
    this.el.ship = button('Ship', () => void this.ship());
    bar.append(this.el.start, this.el.pause, this.el.reset, this.el.ship);
    const speedSelect = speedControl(this.o.plugin, (value) => {
      this.prefs.save({ speed: value });
      this.fitLoad();
    });
    if (speed !== undefined) speedSelect.set(speed);
    this.speed = speedSelect;
    bar.append(speedSelect.element);
    if (this.o.rules || this.arenaCount() > 1) {
      const source = el('select', { id: 'pq-source', 'aria-label': 'experience from' }) as HTMLSelectElement;
      if (this.arenaCount() > 1) source.append(option('arenas', `${this.arenaCount()} arenas of this scene`));
      if (this.o.rules) source.append(option('rules', `worker env copies (${this.o.rules.copies ?? 8})`));
      source.append(option('scene', 'this scene alone'));
      source.value = this.source;
      source.addEventListener('change', () => {
        this.source = source.value as 'arenas' | 'rules' | 'scene';
        this.prefs.save({ source: this.source });
        if (this.phase !== 'idle') this.say('Experience source saved: Reset and Start to train with it.');
      });
      bar.append(labelled('experience from', source));
    }
    this.el.status = el('p', { class: 'pq-status', 'aria-live': 'polite' });
    this.el.progress = el('div', { class: 'pq-progress', hidden: '' });
    this.el.progress.append(el('progress', { 'aria-label': 'working' }), el('span'));
    this.el.message = el('p', { class: 'pq-message', role: 'status' });
    this.el.banner = el('div', { class: 'pq-banner', hidden: '' });
    this.root.append(this.el.banner, section('Training', bar, this.el.status, this.best.element, this.el.progress, this.el.message));
  }

  private async download(which: 'current' | 'best' = 'current'): Promise<void> {
    try {
      const policy = await this.withBusy('Exporting the policy...', async () =>
        which === 'best' && this.trainer ? this.trainer.exportPolicy('best') : ((await this.currentPolicy()) ?? this.squad.policy?.file ?? null),
      );
      if (!policy) throw new Error('no policy yet: start training or import one');
      this.files.download(`${this.squad.name}${which === 'best' ? '.best' : ''}.policy.json`, JSON.stringify(policy));
      this.say(which === 'best' ? 'Best policy so far exported.' : 'Policy exported.');
    } catch (e) {
      this.say(`Export failed: ${(e as Error).message}`, true);
    }
  }

  private async refreshCheckpoints(): Promise<void> {
    try {
      this.files.list(await this.o.store.list());
    } catch (e) {
      this.say(`Cannot list checkpoints: ${(e as Error).message}`, true);
    }
  }

  /**
   * Resumes the autosave with the settings it was trained with (read from
   * its manifest and shown in the form): settings changed since would make
   * the worker refuse it. A store that cannot read checkpoints resumes with
   * the current settings.
   */
  async resumeAutosave(): Promise<void> {
    if (this.phase !== 'idle') return;
    if (this.o.store.load) {
      let config: QmixConfig;
      try {
        const manifest = JSON.parse((await this.o.store.load(this.autosaveName)).manifest) as { config?: unknown };
        config = validateConfig((manifest.config ?? {}) as Partial<QmixConfig>);
      } catch (e) {
        this.say(`The autosave "${this.autosaveName}" cannot be read: ${(e as Error).message}. Nothing was changed.`, true);
        return;
      }
      this.config = { ...config };
      this.algo = config.mixer === 'none' ? 'iql' : config.mixer;
      this.settings.show(config);
      this.prefs.save({ config: this.config, algo: this.algo });
    }
    await this.start(true);
  }

  private async offerAutosave(): Promise<void> {
    const auto = (await this.o.store.list().catch(() => [] as EditorCheckpointInfo[])).find((c) => c.name === this.autosaveName);
    if (!auto || this.phase !== 'idle') return;
    const banner = this.el.banner;
    banner.replaceChildren(
      el('span', {}, `An autosave from ${new Date(auto.savedAt).toLocaleString()} (${auto.envSteps} env steps) is here.`),
      button('Resume it', () => {
        banner.hidden = true;
        void this.resumeAutosave();
      }),
      button('Dismiss', () => (banner.hidden = true)),
    );
    banner.hidden = false;
  }

  // ---- live data ---------------------------------------------------------

  private listen(): void {
    const onEnd = (e: EpisodeEndEvent): void => this.onEpisode(e);
    const onDecision = (e: DecisionEvent): void => this.onDecision(e);
    // The game can change the squad's mode itself (a hotkey, a script): the status line follows.
    const onMode = (): void => this.render();
    this.squad.on(SquadEvents.EPISODE_END, onEnd);
    this.squad.on(SquadEvents.DECISION, onDecision);
    this.squad.on(SquadEvents.MODE_CHANGE, onMode);
    this.cleanups.push(() => {
      this.squad.off(SquadEvents.EPISODE_END, onEnd);
      this.squad.off(SquadEvents.DECISION, onDecision);
      this.squad.off(SquadEvents.MODE_CHANGE, onMode);
    });
  }

  private onEpisode(e: EpisodeEndEvent): void {
    // Rules mode: the charts follow the worker's own episodes and tests, not the scene's greedy play.
    if (this.phase !== 'running' || !this.trainer || e.mode !== 'train' || this.trainer.rulesMode) return;
    const x = this.trainer.envSteps;
    const win = this.o.isWin ? (this.o.isWin(e) ? 1 : 0) : null;
    this.charts.sceneEpisode(x, e.teamReturn, win, e.test);
    if (!e.test) {
      if (++this.episodesSinceTest >= (this.o.testEvery ?? 5)) {
        this.episodesSinceTest = 0;
        this.squad.testNextEpisode();
      }
    }
  }

  private onMetrics(m: EditorMetrics): void {
    if (this.phase !== 'running') return; // paused: the charts hold still
    this.charts.metrics(m, this.trainer?.rulesMode === true);
    this.history.tick();
    this.render(m);
  }

  /**
   * At `max` the frames are the simulation's and drawing is capped: the
   * user asked for training speed, so the worker keeps its full duty cycle
   * (the adaptive load held it near 0.75 there: 15 to 25% fewer updates).
   * At fixed speeds the adaptive load keeps the game's frames even.
   */
  private fitLoad(): void {
    this.trainer?.setAdaptiveLoad?.(this.speed.value !== 'max');
  }

  private onTest(t: EditorTest): void {
    this.best.show(t);
    this.charts.test(t);
    if (t.solved && this.phase === 'running') {
      // The worker paused itself at the threshold: say so, and let Resume go on.
      this.phase = 'paused';
      this.say(`Solved: a greedy test reached ${t.winRate !== null ? `${Math.round(t.score * 100)}% wins` : `return ${t.score.toFixed(2)}`}. Training paused; Resume goes on, Ship best plays it.`);
      this.render();
    }
  }

  /** The worker stopped itself at the last good snapshot after repeated rollbacks. */
  private onDiverged(message: string): void {
    if (this.phase === 'running') this.phase = 'paused';
    this.say(`Training stopped: ${message}. The squad plays the last good policy: export it, or change the rewards or the learning rate and train again.`, true);
    this.render();
  }

  private onDecision(e: DecisionEvent): void {
    this.inspector.decided(e, this.phase === 'running' ? this.trainer : null);
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
    this.files.canSave(t !== null);
    const metrics = m ?? null;
    const parts = [
      `algorithm ${this.algo.toUpperCase()}`,
      `backend ${t?.backend ?? (idle ? this.backendChoice : 'choosing...')}${t?.backendReason ? ` (${t.backendReason})` : ''}`,
      // Two threads are named; one thread (the usual case) only in the tooltip, with why, so the line does not grow.
      ...(t?.kernelThreads?.threads === 2 ? ['2 threads'] : []),
      `${t?.envSteps ?? 0} env steps`,
      ...(metrics ? [`${metrics.updates} updates`, `epsilon ${metrics.epsilon.toFixed(2)}`] : []),
      ...(t ? [this.pace.text(t, metrics, this.o.plugin.stats)] : []),
      `mode ${this.squad.mode}`,
      this.phase,
    ];
    this.el.status.textContent = parts.join(' \u00b7 ');
    const kt = t?.kernelThreads;
    this.el.status.title = kt ? `updates on ${kt.threads === 2 ? 'two threads' : `one thread${kt.note ? `: ${kt.note}` : ''}`}` : '';
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
