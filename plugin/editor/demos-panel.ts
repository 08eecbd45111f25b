/**
 * The demonstrations part of the editor panel: record the squad's heuristic
 * play (a person at the keyboard, or the game's script) into a
 * `DemoRecorder`, save it as a demonstration file, and load files (or what
 * was just recorded) into training, where they make up a share of every
 * batch.
 */
import { parseDemoFile } from '../core/demo-file.js';
import { DemoRecorder } from '../phaser/demo-recorder.js';
import { SquadEvents } from '../phaser/events.js';
import type { Squad } from '../phaser/squad.js';
import { button, el, section } from './dom.js';

/** What the panel needs of the editor. */
export interface DemosHost {
  readonly squad: Squad;
  /** The running trainer, if it takes demonstrations (null when idle). */
  trainer(): { loadDemonstrations?(file: string | object, opts?: { share?: number }): Promise<{ episodes: number; share: number }> } | null;
  /** Whether training is running or paused (recording needs the squad to itself). */
  training(): boolean;
  say(text: string, alert?: boolean): void;
  download(fileName: string, text: string): void;
}

/**
 * @example
 * ```ts
 * const demos = new DemosPanel(panel, { squad, trainer: () => editor.currentTrainer, training: () => editor.state !== 'idle', say, download });
 * // after training starts: await demos.sendTo(trainer)
 * ```
 */
export class DemosPanel {
  private recorder: DemoRecorder | null = null;
  /** Files loaded (their JSON), sent to every trainer that starts. */
  private readonly files: { name: string; text: string; episodes: number }[] = [];
  private readonly recordButton: HTMLButtonElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly share: HTMLInputElement;
  private modeBefore: 'train' | 'greedy' | 'heuristic' = 'heuristic';
  private recordedBefore = false;

  constructor(
    parent: HTMLElement,
    private readonly host: DemosHost,
  ) {
    this.recordButton = button('Record demonstrations', () => (this.recorder?.recording ? this.stop() : this.record()));
    this.saveButton = button('Save demonstrations', () => this.save());
    const file = el('input', { type: 'file', accept: '.json,application/json', multiple: '', 'aria-label': 'load demonstration files' }) as HTMLInputElement;
    file.addEventListener('change', () => {
      const chosen = Array.from(file.files ?? []);
      file.value = '';
      void Promise.all(chosen.map(async (f) => this.load(f.name, await f.text())));
    });
    this.share = el('input', { type: 'number', min: '0', max: '1', step: '0.05', value: '0.25', 'aria-label': 'share of each batch from demonstrations' }) as HTMLInputElement;
    const shareRow = el('label', { class: 'pq-row' });
    shareRow.append(document.createTextNode('share of each batch '), this.share);
    this.status = el('p', { class: 'pq-note pq-demos-status', 'aria-live': 'polite' }, 'No demonstrations yet.');
    const row = el('div', { class: 'pq-row' });
    row.append(this.recordButton, this.saveButton);
    const note = el('p', { class: 'pq-note' }, 'Record: the squad plays by its heuristic (your keys, or the game\u2019s script) and its rounds are kept. Loaded and recorded rounds are trained on at their share of every batch when training starts.');
    const fileRow = el('label', { class: 'pq-file' }, 'Load demonstration files ');
    fileRow.append(file);
    parent.append(section('Demonstrations', row, fileRow, shareRow, note, this.status));
    this.host.squad.on(SquadEvents.EPISODE_END, () => {
      if (this.recorder?.recording) this.render();
    });
    this.render();
  }

  /** Episodes recorded so far (this session). */
  get recorded(): number {
    return this.recorder?.episodes.length ?? 0;
  }

  /** Starts recording the squad's heuristic play (not while training). */
  record(): void {
    if (this.host.training()) return this.host.say('Reset training first: recording needs the squad to play by its heuristic.', true);
    const squad = this.host.squad;
    this.modeBefore = squad.mode;
    this.recordedBefore = squad.recordsHeuristic;
    this.recorder ??= new DemoRecorder(squad.resolveSpec());
    this.recorder.recording = true;
    squad.setTrainer(this.recorder);
    squad.setRecordHeuristic(true);
    if (squad.mode !== 'heuristic') squad.setMode('heuristic');
    squad.interruptEpisode(); // start on a fresh round, recorded from its first decision
    this.host.say('Recording: the squad plays by its heuristic; every round is kept.');
    this.render();
  }

  /** Stops recording; what was recorded is kept (Save, or Start training with it). */
  stop(): void {
    if (!this.recorder) return;
    this.recorder.recording = false;
    const squad = this.host.squad;
    squad.setRecordHeuristic(this.recordedBefore);
    if (this.modeBefore !== 'heuristic' && this.modeBefore !== 'train') {
      try {
        squad.setMode(this.modeBefore);
      } catch {
        // (greedy without a policy any more: stay heuristic)
      }
    }
    this.host.say(`Recording stopped: ${this.recorded} rounds kept.`);
    this.render();
  }

  /** Downloads what was recorded as a demonstration file. */
  save(): void {
    if (!this.recorder || this.recorded === 0) return this.host.say('Nothing recorded yet.', true);
    this.host.download(`${this.host.squad.name}.demos.json`, JSON.stringify(this.recorder.toFile({ source: 'editor' })));
  }

  /** Takes a demonstration file (checked against the squad now; sent to the trainer when one runs). */
  async load(name: string, text: string): Promise<void> {
    try {
      const { episodes } = parseDemoFile(text, this.host.squad.resolveSpec());
      this.files.push({ name, text, episodes: episodes.length });
      const t = this.host.trainer();
      if (t) await this.sendFile(t, { name, text, episodes: episodes.length });
      else this.host.say(`Loaded ${name}: ${episodes.length} rounds, trained on when training starts.`);
    } catch (e) {
      this.host.say(`Could not load ${name}: ${(e as Error).message}`, true);
    }
    this.render();
  }

  /** Gives a trainer that just started everything loaded and recorded. */
  async sendTo(trainer: NonNullable<ReturnType<DemosHost['trainer']>>): Promise<void> {
    if (this.recorder?.recording) this.stop();
    for (const f of this.files) await this.sendFile(trainer, f);
    if (this.recorder && this.recorded > 0) {
      await this.sendFile(trainer, { name: 'the recorded rounds', text: JSON.stringify(this.recorder.toFile({ source: 'editor' })), episodes: this.recorded });
    }
  }

  private async sendFile(trainer: NonNullable<ReturnType<DemosHost['trainer']>>, f: { name: string; text: string; episodes: number }): Promise<void> {
    if (!trainer.loadDemonstrations) return this.host.say('This trainer does not take demonstrations.', true);
    const share = Number(this.share.value);
    try {
      const held = await trainer.loadDemonstrations(f.text, { share: Number.isFinite(share) ? share : 0.25 });
      this.status.textContent = `Training on ${held.episodes} demonstration rounds, ${Math.round(held.share * 100)}% of every batch.`;
    } catch (e) {
      this.host.say(`The trainer refused ${f.name}: ${(e as Error).message}`, true);
    }
  }

  private render(): void {
    const recording = this.recorder?.recording === true;
    this.recordButton.textContent = recording ? 'Stop recording' : 'Record demonstrations';
    this.saveButton.disabled = this.recorded === 0;
    const loaded = this.files.reduce((n, f) => n + f.episodes, 0);
    const parts = [];
    if (this.recorded > 0 || recording) parts.push(`${this.recorded} rounds recorded${recording ? ' (recording)' : ''}`);
    if (loaded > 0) parts.push(`${loaded} rounds loaded from ${this.files.length} file(s)`);
    if (parts.length > 0 && !this.status.textContent?.startsWith('Training on')) this.status.textContent = `${parts.join('; ')}.`;
  }
}
