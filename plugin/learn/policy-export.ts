/**
 * Exports a learner's agent network as a policy file for the tfjs-free
 * runtime. Only the agent network goes in: the mixer, the target networks and
 * the global state are training-time only.
 */
import { encodeFloat32 } from '../core/encoding.js';
import { policyChecksum, POLICY_FORMAT, POLICY_VERSION, type PolicyFile } from '../runtime/policy-file.js';
import { currentBackend } from './backend.js';
import type { QLearner } from './learner.js';

/** Training facts to record; counts default to what the learner knows. */
export interface PolicyExportInfo {
  readonly episodes?: number;
  readonly envSteps?: number;
  /** Defaults to the env spec's `obsLayout`, or one feature `obs` of the whole size. */
  readonly obsLayout?: readonly { readonly name: string; readonly size: number }[];
  /** Export date; defaults to now. */
  readonly date?: Date;
}

/**
 * Builds the policy file (a JSON-ready object) of the learner's current online agent network.
 * @throws Error when a weight is NaN or infinite (a diverged learner is not exported).
 * @example
 * ```ts
 * const file = exportPolicy(trainer.learner, { episodes: trainer.episodes, envSteps: trainer.envSteps });
 * await writeFile('squad.policy.json', JSON.stringify(file));
 * ```
 */
export function exportPolicy(learner: QLearner, info: PolicyExportInfo = {}): PolicyFile {
  const { spec, config, agentShape } = learner;
  const weights: Record<string, { shape: number[]; data: string }> = {};
  for (const [name, w] of Object.entries(learner.online.agent.read())) {
    const bad = w.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`cannot export a policy with non-finite weights: ${name}[${bad}] is ${w.data[bad]}`);
    weights[name] = { shape: w.shape, data: encodeFloat32(w.data) };
  }
  const unsealed: Omit<PolicyFile, 'checksum'> = {
    format: POLICY_FORMAT,
    version: POLICY_VERSION,
    spec: {
      nAgents: spec.nAgents,
      obsSize: spec.obsSize,
      nActions: spec.nActions,
      ...(spec.actionNames ? { actionNames: [...spec.actionNames] } : {}),
    },
    observation: { layout: (info.obsLayout ?? spec.obsLayout ?? [{ name: 'obs', size: spec.obsSize }]).map((f) => ({ name: f.name, size: f.size })) },
    network: { ...agentShape, obsLastAction: config.obsLastAction, obsAgentId: config.obsAgentId },
    weights,
    training: {
      algorithm: config.mixer === 'none' ? 'iql' : config.mixer,
      updates: learner.updates,
      episodes: info.episodes ?? 0,
      envSteps: info.envSteps ?? 0,
      seed: config.seed,
      date: (info.date ?? new Date()).toISOString(),
      backend: currentBackend(),
    },
  };
  return { ...unsealed, checksum: policyChecksum(unsealed) };
}
