/**
 * Action selection from per-agent utilities: greedy, epsilon-greedy or
 * Boltzmann, always restricted to available actions. Pure JS, shared by the
 * training runner and the shipped runtime.
 */
import type { Rng } from './rng.js';

/** How to turn utilities into actions. */
export type ActionMode =
  | { readonly kind: 'greedy' }
  | { readonly kind: 'epsilon-greedy'; readonly epsilon: number }
  | { readonly kind: 'boltzmann'; readonly temperature: number };

/**
 * The number a mode explores with: epsilon, the Boltzmann temperature, or 0 when greedy.
 * @example
 * ```ts
 * explorationValue({ kind: 'epsilon-greedy', epsilon: 0.1 }); // 0.1
 * ```
 */
export function explorationValue(mode: ActionMode): number {
  return mode.kind === 'epsilon-greedy' ? mode.epsilon : mode.kind === 'boltzmann' ? mode.temperature : 0;
}

/** The greedy mode (shipped play). */
export const GREEDY: ActionMode = Object.freeze({ kind: 'greedy' });

/**
 * Index of the largest available utility of one agent (the first on ties, like torch's max).
 * @param offset start of this agent's row in `q` and `avail`
 * @example
 * ```ts
 * argmaxAvailable([5, 9, 1], [1, 0, 1], 0, 3); // 0 (action 1 is unavailable)
 * ```
 */
export function argmaxAvailable(q: ArrayLike<number>, avail: ArrayLike<number>, offset: number, nActions: number): number {
  let best = -1;
  let bestQ = -Infinity;
  for (let u = 0; u < nActions; u++) {
    if (avail[offset + u] !== 0 && (best < 0 || q[offset + u] > bestQ)) {
      best = u;
      bestQ = q[offset + u];
    }
  }
  if (best < 0) throw new Error('no available action');
  return best;
}

/**
 * Picks one action per agent into `out`.
 * - greedy: argmax over available actions;
 * - epsilon-greedy: with probability epsilon a uniformly random available
 *   action (pymarl's EpsilonGreedyActionSelector), else greedy;
 * - boltzmann: sample from softmax(Q / temperature) over available actions.
 * @param q `[nAgents, nActions]` utilities (ignored for the random branch)
 * @param avail `[nAgents, nActions]`, 1 = available
 * @example
 * ```ts
 * selectActions(q, avail, 3, 5, { kind: 'epsilon-greedy', epsilon: 0.1 }, rng, actions);
 * ```
 */
export function selectActions(
  q: ArrayLike<number>,
  avail: ArrayLike<number>,
  nAgents: number,
  nActions: number,
  mode: ActionMode,
  rng: Rng | null,
  out: Int32Array,
): Int32Array {
  for (let a = 0; a < nAgents; a++) {
    const off = a * nActions;
    if (mode.kind === 'greedy') {
      out[a] = argmaxAvailable(q, avail, off, nActions);
    } else if (mode.kind === 'epsilon-greedy') {
      if (rng === null) throw new Error('epsilon-greedy needs an rng');
      out[a] = rng.next() < mode.epsilon ? randomAvailable(avail, off, nActions, rng) : argmaxAvailable(q, avail, off, nActions);
    } else {
      if (rng === null) throw new Error('boltzmann needs an rng');
      out[a] = boltzmann(q, avail, off, nActions, mode.temperature, rng);
    }
  }
  return out;
}

function randomAvailable(avail: ArrayLike<number>, off: number, nActions: number, rng: Rng): number {
  let count = 0;
  for (let u = 0; u < nActions; u++) if (avail[off + u] !== 0) count++;
  let k = rng.int(count);
  for (let u = 0; u < nActions; u++) {
    if (avail[off + u] !== 0 && k-- === 0) return u;
  }
  throw new Error('no available action');
}

function boltzmann(q: ArrayLike<number>, avail: ArrayLike<number>, off: number, nActions: number, temperature: number, rng: Rng): number {
  let maxQ = -Infinity;
  for (let u = 0; u < nActions; u++) if (avail[off + u] !== 0) maxQ = Math.max(maxQ, q[off + u]);
  let total = 0;
  for (let u = 0; u < nActions; u++) if (avail[off + u] !== 0) total += Math.exp((q[off + u] - maxQ) / temperature);
  let x = rng.next() * total;
  let last = -1;
  for (let u = 0; u < nActions; u++) {
    if (avail[off + u] === 0) continue;
    last = u;
    x -= Math.exp((q[off + u] - maxQ) / temperature);
    if (x < 0) return u;
  }
  if (last < 0) throw new Error('no available action');
  return last;
}
