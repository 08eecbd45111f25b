/**
 * Records a squad's episodes as demonstrations: a trainer a squad in
 * `heuristic` mode (with `recordHeuristic: true`) hands its episodes to,
 * which keeps them for a demonstration file and passes them on to the real
 * trainer when there is one.
 */
import { makeDemoFile, type DemoFile } from '../core/demo-file.js';
import type { EnvSpec } from '../core/env.js';
import type { EpisodeRecord } from '../core/episode.js';
import { GREEDY, type ActionMode } from '../core/explore.js';
import type { QPolicy } from '../core/runner.js';
import type { SquadTrainer, TrainerUpdateInfo } from '../core/trainer-handle.js';

/**
 * Keeps every episode it is given (up to `maxEpisodes`, then the oldest go),
 * and forwards it to `forward` if set; acting, exploration and updates are
 * the forward trainer's (without one: a policy of zeros and greedy
 * exploration, which heuristic play does not use).
 * @example
 * ```ts
 * let recorder!: DemoRecorder;
 * const squad = this.qmix.addSquad('guards', { nActions: 5, mode: 'heuristic', recordHeuristic: true, trainer: (spec) => (recorder = new DemoRecorder(spec)) });
 * // ... a person plays a few rounds (the heuristic hook reads the keyboard) ...
 * save('guards.demos.json', JSON.stringify(recorder.toFile({ source: 'keyboard' })));
 * ```
 */
export class DemoRecorder implements SquadTrainer {
  private kept: EpisodeRecord[] = [];
  private readonly zeros: QPolicy;
  /** While false, episodes are forwarded but not kept. */
  recording = true;

  constructor(
    readonly spec: EnvSpec,
    private readonly options: { readonly forward?: SquadTrainer; readonly maxEpisodes?: number } = {},
  ) {
    const max = options.maxEpisodes ?? 10_000;
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError(`DemoRecorder: maxEpisodes must be a positive integer, got ${String(max)}`);
    this.zeros = { resetEpisode: () => {}, qValues: (_obs, _last, out) => out.fill(0) };
  }

  /** The episodes kept so far (oldest first). */
  get episodes(): readonly EpisodeRecord[] {
    return this.kept;
  }

  get policy(): QPolicy {
    return this.options.forward?.policy ?? this.zeros;
  }

  submitEpisode(episode: EpisodeRecord): void {
    if (this.recording) {
      this.kept.push(episode);
      if (this.kept.length > (this.options.maxEpisodes ?? 10_000)) this.kept.shift();
    }
    // The record is handed over: the forward trainer gets its own copy, ours stays intact.
    this.options.forward?.submitEpisode(this.recording ? copyEpisode(episode) : episode);
  }

  explorationMode(): ActionMode {
    return this.options.forward?.explorationMode() ?? GREEDY;
  }

  onUpdate(listener: (info: TrainerUpdateInfo) => void): () => void {
    return this.options.forward?.onUpdate(listener) ?? (() => {});
  }

  allowance(): number {
    return this.options.forward?.allowance?.() ?? Infinity;
  }

  /** Forgets the episodes kept. */
  clear(): void {
    this.kept = [];
  }

  /** A sealed demonstration file of the episodes kept. */
  toFile(meta: { source?: string; date?: Date } = {}): DemoFile {
    return makeDemoFile(this.spec, this.kept, meta);
  }

  /** Disposes the forward trainer, if any. */
  dispose(): void {
    this.options.forward?.dispose();
  }
}

function copyEpisode(ep: EpisodeRecord): EpisodeRecord {
  return { length: ep.length, terminated: ep.terminated, obs: ep.obs.slice(), state: ep.state.slice(), avail: ep.avail.slice(), actions: ep.actions.slice(), rewards: ep.rewards.slice() };
}
