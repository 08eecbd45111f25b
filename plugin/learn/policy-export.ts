/**
 * Exports a learner's agent network as a policy file for the tfjs-free
 * runtime. Only the agent network goes in: the mixer, the target networks and
 * the global state are training-time only.
 */
import { encodeFloat32 } from '../core/encoding.js';
import { policyChecksum, POLICY_FORMAT, POLICY_VERSION, type PolicyFile, type PolicyHeader } from '../runtime/policy-file.js';
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
  const weights: Record<string, { shape: number[]; data: string }> = {};
  for (const [name, w] of Object.entries(readAgentWeights(learner))) weights[name] = { shape: w.shape, data: encodeFloat32(w.data) };
  const unsealed: Omit<PolicyFile, 'checksum'> = { ...policyHeader(learner, info), weights };
  return { ...unsealed, checksum: policyChecksum(unsealed) };
}

/**
 * The online agent weights as owned arrays (safe to transfer to another thread).
 * @throws Error when a weight is NaN or infinite.
 * @example
 * ```ts
 * const w = readAgentWeights(learner); // { 'agent.fc1.w': { shape, data }, ... }
 * ```
 */
export function readAgentWeights(learner: QLearner): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, w] of Object.entries(learner.online.agent.read())) {
    const bad = w.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`cannot export a policy with non-finite weights: ${name}[${bad}] is ${w.data[bad]}`);
    out[name] = { shape: w.shape, data: w.data.slice() };
  }
  return out;
}

/**
 * Everything of a policy file but its weights and checksum.
 * @example
 * ```ts
 * const header = policyHeader(learner, { episodes: 10 });
 * ```
 */
export function policyHeader(learner: QLearner, info: PolicyExportInfo = {}): PolicyHeader {
  const { spec, config, agentShape } = learner;
  return {
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
    training: {
      algorithm: config.mixer === 'none' ? 'iql' : config.mixer,
      updates: learner.updates,
      episodes: info.episodes ?? 0,
      envSteps: info.envSteps ?? 0,
      seed: config.seed,
      preset: config.preset,
      date: (info.date ?? new Date()).toISOString(),
      backend: currentBackend(),
    },
  };
}
