/**
 * Greedy decentralised execution without tfjs: each agent's utilities from
 * its own observation (plus its own previous action and id, when the network
 * was trained with them) through plain Float32Array arithmetic, then the best
 * available action. No mixer, no global state, no allocation per decision.
 */
import type { ActingMemory, QPolicy } from '../core/runner.js';
import { parsePolicyFile, type ParsedPolicy, type PolicyExpectation, type PolicyFile } from './policy-file.js';

/**
 * A loaded policy. Each agent keeps its GRU hidden state and its previous
 * action between decisions; {@link GreedyPolicy.resetEpisode} clears them.
 *
 * @example
 * ```ts
 * const policy = loadPolicy(jsonText, { obsSize: 12, nActions: 5 });
 * policy.resetEpisode();
 * // every decision, for each NPC on its own:
 * const action = policy.act(agentIndex, observation, actionMask);
 * ```
 */
export class GreedyPolicy implements QPolicy {
  readonly nAgents: number;
  readonly obsSize: number;
  readonly nActions: number;
  /** The checked policy file (metadata, layout, training facts). */
  readonly file: PolicyFile;
  private readonly kind: 'gru' | 'mlp';
  private readonly H: number;
  private readonly useLast: boolean;
  private readonly useId: boolean;
  /** Layers with weights transposed to [out, in] at load: each output is a contiguous dot product. */
  private readonly layers: { readonly [name: string]: Layer };
  private readonly gruIn: Layer | null = null;
  private readonly gruHidden: Layer | null = null;
  private readonly hidden: Float32Array[];
  private readonly last: Int32Array;
  private readonly q: Float32Array[];
  // scratch, shared by all agents (decisions are computed one agent at a time)
  private readonly a1: Float32Array;
  private readonly a2: Float32Array;
  private readonly gi: Float32Array;
  private readonly gh: Float32Array;
  // one agent's row of a batched call (qValuesMany), copied in and out
  private readonly obsRow: Float32Array;
  private readonly hRow: Float32Array;

  constructor(parsed: ParsedPolicy) {
    const { file, weights } = parsed;
    this.file = file;
    const names = file.network.kind === 'mlp' ? ['agent.fc1', 'agent.fc2', 'agent.fc3'] : ['agent.fc1', 'agent.fc2'];
    this.layers = Object.fromEntries(names.map((n) => [n, layer(weights[`${n}.w`], weights[`${n}.b`])]));
    if (file.network.kind === 'gru') {
      this.gruIn = layer(weights['agent.gru.wih'], weights['agent.gru.bih']);
      this.gruHidden = layer(weights['agent.gru.whh'], weights['agent.gru.bhh']);
    }
    this.nAgents = file.spec.nAgents;
    this.obsSize = file.spec.obsSize;
    this.nActions = file.spec.nActions;
    this.kind = file.network.kind;
    this.H = file.network.hiddenDim;
    this.useLast = file.network.obsLastAction;
    this.useId = file.network.obsAgentId;
    this.hidden = Array.from({ length: this.nAgents }, () => new Float32Array(this.H));
    this.last = new Int32Array(this.nAgents).fill(-1);
    this.q = Array.from({ length: this.nAgents }, () => new Float32Array(this.nActions));
    this.a1 = new Float32Array(this.H);
    this.a2 = new Float32Array(this.H);
    this.gi = new Float32Array(3 * this.H);
    this.gh = new Float32Array(3 * this.H);
    this.obsRow = new Float32Array(this.obsSize);
    this.hRow = new Float32Array(this.H);
  }

  /** Starts a new episode for every agent: hidden states to zero, no previous action. */
  resetEpisode(): void {
    for (let a = 0; a < this.nAgents; a++) this.resetAgent(a);
  }

  /** Starts over for one agent (e.g. it respawned). */
  resetAgent(agent: number): void {
    this.checkAgent(agent);
    this.hidden[agent].fill(0);
    this.last[agent] = -1;
  }

  /**
   * One decision for one agent, from its own inputs only: advances its
   * hidden state, remembers the action as its previous action, returns it.
   * @param obs this agent's observation (`obsSize` numbers)
   * @param avail optional mask, `nActions` entries, nonzero = available
   */
  act(agent: number, obs: ArrayLike<number>, avail?: ArrayLike<number> | null): number {
    // A short mask would read as "all available" past its end: a hook bug must not pass silently.
    if (avail != null && avail.length !== this.nActions) throw new RangeError(`agent ${agent}: action mask has ${avail.length} entries, the policy has ${this.nActions} actions`);
    const q = this.evaluate(agent, obs, this.last[agent]);
    let best = -1;
    for (let u = 0; u < this.nActions; u++) {
      if ((avail == null || avail[u] !== 0) && (best < 0 || q[u] > q[best])) best = u;
    }
    if (best < 0) throw new RangeError(`agent ${agent} has no available action`);
    this.last[agent] = best;
    return best;
  }

  /**
   * Tells the policy which action the agent really took (when the game
   * overrode the greedy choice), so its next input carries the right one.
   */
  setLastAction(agent: number, action: number): void {
    this.checkAgent(agent);
    if (!(Number.isInteger(action) && action >= 0 && action < this.nActions)) throw new RangeError(`action ${action} is not in 0..${this.nActions - 1}`);
    this.last[agent] = action;
  }

  /**
   * Takes over another policy's per-agent memory (GRU hidden states and
   * previous actions), so new weights can replace old ones mid-episode
   * without the agents forgetting what they saw. Ignored when the shapes differ.
   * @returns whether the memory was copied
   */
  adoptMemoryFrom(other: GreedyPolicy): boolean {
    if (other.nAgents !== this.nAgents || other.H !== this.H || other.kind !== this.kind) return false;
    for (let a = 0; a < this.nAgents; a++) this.hidden[a].set(other.hidden[a]);
    this.last.set(other.last);
    return true;
  }

  /** The utilities computed at this agent's last decision (a live view: copy to keep). */
  lastQValues(agent: number): Float32Array {
    this.checkAgent(agent);
    return this.q[agent];
  }

  /**
   * {@link QPolicy} form for runners: all agents at once, previous actions
   * given explicitly (null at the first step).
   */
  qValues(obs: Float32Array, lastActions: Int32Array | null, out: Float32Array): void {
    const O = this.obsSize;
    for (let a = 0; a < this.nAgents; a++) {
      const q = this.evaluate(a, obs.subarray(a * O, (a + 1) * O), lastActions === null ? -1 : lastActions[a]);
      out.set(q, a * this.nActions);
    }
  }

  /**
   * {@link QPolicy.qValuesMany}: several copies of the squad (training
   * arenas) in one call, each with its own GRU memory; no allocation after a
   * memory's first use.
   * @example
   * ```ts
   * const memories = [{ hidden: null }, { hidden: null }]; // two arenas
   * policy.qValuesMany(memories, obs, lastActions, q);    // obs [2 * nAgents, obsSize]
   * memories[1].hidden?.fill(0);                           // arena 1 starts an episode
   * ```
   */
  qValuesMany(memories: readonly ActingMemory[], obs: Float32Array, lastActions: Int32Array, out: Float32Array): void {
    const { nAgents: N, obsSize: O, nActions: A, H } = this;
    const rows = memories.length * N;
    if (obs.length !== rows * O || lastActions.length !== rows || out.length !== rows * A) {
      throw new RangeError(`qValuesMany for ${memories.length} copies of ${N} agents needs obs of ${rows * O}, ${rows} previous actions and ${rows * A} outputs; got ${obs.length}, ${lastActions.length}, ${out.length}`);
    }
    const x = this.obsRow;
    const h = this.hRow;
    for (let k = 0; k < memories.length; k++) {
      const m = memories[k];
      const gru = this.kind === 'gru';
      if (gru && (m.hidden === null || m.hidden.length !== N * H)) m.hidden = new Float32Array(N * H);
      for (let a = 0; a < N; a++) {
        const row = k * N + a;
        for (let i = 0; i < O; i++) x[i] = obs[row * O + i];
        if (gru) for (let j = 0; j < H; j++) h[j] = m.hidden![a * H + j];
        const q = this.forward(a, x, lastActions[row], h);
        if (gru) for (let j = 0; j < H; j++) m.hidden![a * H + j] = h[j];
        for (let u = 0; u < A; u++) out[row * A + u] = q[u];
      }
    }
  }

  /** Runs the network for one agent on its own memory; writes and returns its utilities. */
  private evaluate(agent: number, obs: ArrayLike<number>, lastAction: number): Float32Array {
    this.checkAgent(agent);
    if (obs.length !== this.obsSize) throw new RangeError(`agent ${agent}: observation has ${obs.length} numbers, the policy expects ${this.obsSize}`);
    for (let i = 0; i < obs.length; i++) {
      // NaN or Infinity makes every Q-value NaN, and the "greedy" action the first one available.
      if (!Number.isFinite(obs[i])) throw new RangeError(`agent ${agent}: observation[${i}] is ${obs[i]}: observations must be finite numbers`);
    }
    return this.forward(agent, obs, lastAction, this.hidden[agent]);
  }

  /** The network for one agent with hidden state `h` (advanced in place); writes and returns its utilities. */
  private forward(agent: number, obs: ArrayLike<number>, lastAction: number, h: Float32Array): Float32Array {
    const O = this.obsSize;
    const fc1 = this.layers['agent.fc1'];
    // fc1 with the one-hot extras read as single weights instead of multiplied in.
    const extraLast = this.useLast && lastAction >= 0 ? O + lastAction : -1;
    const extraId = this.useId ? O + (this.useLast ? this.nActions : 0) + agent : -1;
    const x = this.a1;
    dense(obs, fc1, x, false, O);
    for (let j = 0; j < fc1.outN; j++) {
      const base = j * fc1.inN;
      let sum = x[j];
      if (extraLast >= 0) sum += fc1.wt[base + extraLast];
      if (extraId >= 0) sum += fc1.wt[base + extraId];
      x[j] = sum > 0 ? sum : 0;
    }
    const q = this.q[agent];
    if (this.kind === 'mlp') {
      dense(x, this.layers['agent.fc2'], this.a2, true);
      dense(this.a2, this.layers['agent.fc3'], q, false);
    } else {
      this.gru(x, h);
      dense(h, this.layers['agent.fc2'], q, false);
    }
    return q;
  }

  /** PyTorch GRUCell, gates r, z, n; updates h in place. */
  private gru(x: Float32Array, h: Float32Array): void {
    const H = this.H;
    const { gi, gh } = this;
    dense(x, this.gruIn!, gi, false);
    dense(h, this.gruHidden!, gh, false);
    for (let j = 0; j < H; j++) {
      const r = 1 / (1 + Math.exp(-(gi[j] + gh[j])));
      const z = 1 / (1 + Math.exp(-(gi[H + j] + gh[H + j])));
      const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
      h[j] = n + z * (h[j] - n);
    }
  }

  private checkAgent(agent: number): void {
    if (!(Number.isInteger(agent) && agent >= 0 && agent < this.nAgents)) throw new RangeError(`agent index ${agent} is not in 0..${this.nAgents - 1}`);
  }
}

/** A dense layer: weights transposed to `[out, in]` row-major, bias `[out]`. */
interface Layer {
  readonly wt: Float32Array;
  readonly b: Float32Array;
  readonly inN: number;
  readonly outN: number;
}

/** Transposes a stored `[in, out]` weight to `[out, in]`. */
function layer(w: Float32Array, b: Float32Array): Layer {
  const outN = b.length;
  const inN = w.length / outN;
  const wt = new Float32Array(w.length);
  for (let i = 0; i < inN; i++) for (let j = 0; j < outN; j++) wt[j * inN + i] = w[i * outN + j];
  return { wt, b, inN, outN };
}

/**
 * out = x W + b (optionally ReLU), using the first `n` inputs (all by default).
 * The dot products keep four independent sums: about 1.5x faster than one
 * running sum here (1.0 vs 0.7 GMAC/s). Written inline on purpose: a helper
 * returning a double can box it on the heap, which is an allocation per call.
 */
function dense(x: ArrayLike<number>, l: Layer, out: Float32Array, relu: boolean, n = l.inN): void {
  const { wt, b, inN, outN } = l;
  for (let j = 0; j < outN; j++) {
    const base = j * inN;
    let s0 = b[j];
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += x[i] * wt[base + i];
      s1 += x[i + 1] * wt[base + i + 1];
      s2 += x[i + 2] * wt[base + i + 2];
      s3 += x[i + 3] * wt[base + i + 3];
    }
    for (; i < n; i++) s0 += x[i] * wt[base + i];
    const sum = s0 + s1 + (s2 + s3);
    out[j] = relu && sum < 0 ? 0 : sum;
  }
}

/**
 * Loads and checks a policy file and returns a ready {@link GreedyPolicy}.
 * @param expect sizes (and optionally the observation layout) of the squad or env it is for
 * @throws {@link PolicyError} naming what is wrong with the file
 * @example
 * ```ts
 * import { loadPolicy } from 'phaser-qmix/runtime';
 * const policy = loadPolicy(await (await fetch('assets/guards.policy.json')).text(), { nAgents: 3, obsSize: 24, nActions: 5 });
 * ```
 */
export function loadPolicy(json: string | object, expect?: PolicyExpectation): GreedyPolicy {
  return new GreedyPolicy(parsePolicyFile(json, expect));
}
