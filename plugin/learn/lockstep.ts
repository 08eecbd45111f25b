/**
 * K env copies stepped together: one batched forward for all their agents
 * per step, each env starting its next episode as soon as one ends, and every
 * finished episode handed to the trainer (store, update).
 */
import { EpisodeBuilder } from '../core/episode.js';
import { checkObservation, checkStep, type EnvObservation, type MultiAgentEnv } from '../core/env.js';
import { explorationValue, selectActions } from '../core/explore.js';
import { BatchActor } from './actor.js';
import type { Trainer, TrainEpisodeResult } from './trainer.js';

/**
 * @example
 * ```ts
 * const loop = new LockstepCollector(trainer, [makeEnv('lbf:8x8-2p-2f-coop'), makeEnv('lbf:8x8-2p-2f-coop')]);
 * while (trainer.envSteps < 100_000) for (const done of loop.step()) log(done.episodeReturn);
 * loop.dispose();
 * ```
 */
export class LockstepCollector {
  private readonly actor: BatchActor;
  private readonly builders: EpisodeBuilder[];
  private readonly current: EnvObservation[];
  private readonly last: (Int32Array | null)[];
  private readonly returns: number[];
  private readonly q: Float32Array;
  private readonly actions: Int32Array;

  /**
   * @param options.train false: finished episodes are only stored, and the
   *   caller runs the updates (a worker that paces updates itself). Default true.
   */
  constructor(
    private readonly trainer: Trainer,
    private readonly envs: readonly MultiAgentEnv[],
    private readonly options: { readonly train?: boolean } = {},
  ) {
    const spec = trainer.learner.spec;
    for (const e of envs) {
      if (e.spec.nAgents !== spec.nAgents || e.spec.obsSize !== spec.obsSize || e.spec.nActions !== spec.nActions || e.spec.stateSize !== spec.stateSize) {
        throw new Error('every env copy must have the trainer env spec');
      }
    }
    this.actor = new BatchActor(trainer.learner, envs.length);
    this.builders = envs.map(() => new EpisodeBuilder(spec));
    this.current = envs.map((_, k) => this.begin(k));
    this.last = envs.map(() => null);
    this.returns = envs.map(() => 0);
    this.q = new Float32Array(envs.length * spec.nAgents * spec.nActions);
    this.actions = new Int32Array(spec.nAgents);
  }

  /** One decision in every env; returns the episodes that finished (already handed to the trainer). */
  step(): TrainEpisodeResult[] {
    const spec = this.trainer.learner.spec;
    const { nAgents: n, nActions: A } = spec;
    this.envs.forEach((_, k) => this.actor.setInputs(k, this.current[k].obs, this.last[k]));
    this.actor.forward(this.q);
    const mode = this.trainer.explorationMode();
    const exploration = explorationValue(mode);
    const done: TrainEpisodeResult[] = [];
    for (let k = 0; k < this.envs.length; k++) {
      selectActions(this.q.subarray(k * n * A, (k + 1) * n * A), this.current[k].avail, n, A, mode, this.trainer.explorationRng, this.actions);
      const s = this.envs[k].step(this.actions);
      checkStep(s, `step of env copy ${k}`);
      checkObservation(spec, s, `step of env copy ${k}`);
      this.builders[k].push(this.actions, s);
      this.returns[k] += s.reward;
      this.current[k] = s;
      this.last[k] = this.last[k] ?? new Int32Array(n);
      this.last[k]!.set(this.actions);
      if (this.builders[k].done) {
        const record = this.builders[k].finish();
        let update;
        if (this.options.train === false) this.trainer.storeEpisode(record);
        else update = this.trainer.submitEpisode(record);
        const won = (this.envs[k] as { won?: () => boolean }).won?.call(this.envs[k]);
        done.push({ episodeReturn: this.returns[k], steps: record.length, exploration, ...(update ? { update } : {}), ...(won !== undefined ? { won } : {}) });
        this.current[k] = this.begin(k);
        this.last[k] = null;
        this.returns[k] = 0;
      }
    }
    return done;
  }

  dispose(): void {
    this.actor.dispose();
  }

  private begin(k: number): EnvObservation {
    const o = this.envs[k].reset(this.trainer.nextEnvSeed());
    checkObservation(this.trainer.learner.spec, o, `reset of env copy ${k}`);
    this.builders[k].begin(o);
    this.actor.startEpisode(k);
    return o;
  }
}
