/**
 * The agent network's architecture as plain data: its sizes and the names and
 * shapes of its weights, in the order the policy file keeps. Shared by the
 * tfjs learner and the tfjs-free runtime, so both read the same layout.
 */
import type { AgentKind } from './config.js';

/** One weight tensor: name, shape, and the half-width of its uniform init. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Initialised uniform in [-bound, bound] (torch: 1/sqrt(fan_in)). */
  readonly bound: number;
}

/** Weights as plain arrays, for files, messages and the tfjs-free runtime. */
export interface WeightArrays {
  readonly [name: string]: { readonly shape: readonly number[]; readonly data: Float32Array };
}

/**
 * Param specs of a torch `nn.Linear(inDim, outDim)`, weight stored `[in, out]` (x @ W).
 * @example
 * ```ts
 * linearSpecs('fc', 4, 2); // fc.w [4, 2] and fc.b [2], both uniform in +-1/2
 * ```
 */
export function linearSpecs(name: string, inDim: number, outDim: number): ParamSpec[] {
  const bound = 1 / Math.sqrt(inDim);
  return [
    { name: `${name}.w`, shape: [inDim, outDim], bound },
    { name: `${name}.b`, shape: [outDim], bound },
  ];
}

/** Sizes of the agent network. */
export interface AgentNetShape {
  readonly kind: AgentKind;
  readonly inputSize: number;
  readonly hiddenDim: number;
  readonly nActions: number;
}

/**
 * Parameter specs, in a fixed order that the policy file keeps:
 * - gru: fc1 [in, H], gru.wih [H, 3H], gru.bih [3H], gru.whh [H, 3H], gru.bhh [3H], fc2 [H, A]
 * - mlp: fc1 [in, H], fc2 [H, H], fc3 [H, A]
 * @example
 * ```ts
 * const params = ParamSet.create(agentParamSpecs({ kind: 'gru', inputSize: 38, hiddenDim: 64, nActions: 5 }), new Rng(0));
 * ```
 */
export function agentParamSpecs(s: AgentNetShape): ParamSpec[] {
  const H = s.hiddenDim;
  if (s.kind === 'mlp') {
    return [...linearSpecs('agent.fc1', s.inputSize, H), ...linearSpecs('agent.fc2', H, H), ...linearSpecs('agent.fc3', H, s.nActions)];
  }
  // torch GRUCell initialises every weight and bias uniform in +-1/sqrt(hidden).
  const g = 1 / Math.sqrt(H);
  return [
    ...linearSpecs('agent.fc1', s.inputSize, H),
    { name: 'agent.gru.wih', shape: [H, 3 * H], bound: g },
    { name: 'agent.gru.bih', shape: [3 * H], bound: g },
    { name: 'agent.gru.whh', shape: [H, 3 * H], bound: g },
    { name: 'agent.gru.bhh', shape: [3 * H], bound: g },
    ...linearSpecs('agent.fc2', H, s.nActions),
  ];
}

