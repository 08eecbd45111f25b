/**
 * The helper thread's side of kernel-threads.ts: runs one job on this
 * thread's own kernel instances and returns its outputs. What a forward pass
 * keeps for its backward pass stays in this thread's kernel memory, per role,
 * as on the learner's thread. Imports no tfjs.
 */
import { agentBackwardRows, agentForwardRows } from './agent-rows.js';
import { mixBackwardRows, mixForwardRows } from './mixer-rows.js';
import type { KernelJob, KernelRole } from './kernel-threads.js';
import { kernelSlot, type Resident } from './wasm-kernel.js';
import { hostShareGradients, SHARE_ARRAYS, type HostShareArrays, type HostShareSettings } from './host-share.js';
import { WEIGHTS } from './agent-rows.js';
import { mixerParamSpecs } from './mixer-specs.js';

const kept = new Map<KernelRole, Resident>();

/**
 * Runs `job` on `inputs` and returns its outputs. Agent forward: the rows'
 * inputs and the weights in, q and the last GRU state out; backward: dL/dq
 * in, the weight gradients out. Mixer forward: states, utilities and weights
 * in, Q_tot out; backward: dL/dQ_tot in, dL/dq and the weight gradients out.
 * @example
 * ```ts
 * const [q, last] = runKernelJob({ kind: 'agent-forward', role: 'agent', shape, steps, rows, keep: true }, [x, ...weights]);
 * ```
 */
export function runKernelJob(job: KernelJob, inputs: readonly Float32Array[]): Float32Array[] {
  if (job.kind === 'host-step') return hostStepJob(job.host!, inputs);
  const slot = kernelSlot(job.role);
  if (!slot) throw new Error('the kernel helper needs WebAssembly SIMD, which this thread lacks');
  if (job.kind === 'agent-forward') {
    const [x, ...weights] = inputs;
    const r = agentForwardRows(slot, job.shape!, x, job.steps!, job.rows, weights, job.keep);
    if (r.kept) kept.set(job.role, r.kept);
    return [r.mem.subarray(r.q / 4, r.q / 4 + r.qFloats), r.last ?? new Float32Array(0)];
  }
  if (job.kind === 'mix-forward') {
    const [states, qs, ...weights] = inputs;
    const r = mixForwardRows(slot, job.mixer!, states, qs, weights, job.keep);
    if (r.kept) kept.set(job.role, r.kept);
    return [r.qTot];
  }
  const k = kept.get(job.role);
  if (!k) throw new Error(`the kernel helper has no forward pass kept for a ${job.role} backward pass`);
  kept.delete(job.role);
  if (job.kind === 'mix-backward') return mixBackwardRows(slot, job.mixer!, job.rows, k, inputs[0]);
  return agentBackwardRows(slot, job.shape!, job.width!, job.steps!, job.rows, k, inputs[0]);
}

/**
 * A host step on the helper's share: inputs are the share's arrays
 * (`SHARE_ARRAYS` order), then the online agent, target agent, online mixer
 * and target mixer weights packed in one array, then their lengths; outputs
 * are the agent gradients, the mixer gradients, the four loss sums, and the
 * share's target utilities (empty unless the job named episodes to compute).
 */
function hostStepJob(st: HostShareSettings, inputs: readonly Float32Array[]): Float32Array[] {
  const n = SHARE_ARRAYS.length;
  if (inputs.length !== n + 2) throw new Error(`a host-step job got ${inputs.length} arrays, expected ${n + 2}`);
  const arrays = Object.fromEntries(SHARE_ARRAYS.map((k, i) => [k, inputs[i]])) as unknown as HostShareArrays;
  const [packed, lengths] = [inputs[n], inputs[n + 1]];
  const nA = WEIGHTS[st.agentShape.kind].length;
  const nM = st.mixerShape.kind === 'qmix' ? mixerParamSpecs(st.mixerShape).length : 0;
  if (lengths.length !== 2 * (nA + nM)) throw new Error(`a host-step job has ${lengths.length} weights, expected ${2 * (nA + nM)}`);
  let offset = 0;
  const all = Array.from(lengths, (len) => packed.subarray(offset, (offset += len)));
  if (offset !== packed.length) throw new Error(`a host-step job's weights hold ${packed.length} values, their lengths add up to ${offset}`);
  const weights = { onlineAgent: all.slice(0, nA), targetAgent: all.slice(nA, 2 * nA), onlineMixer: all.slice(2 * nA, 2 * nA + nM), targetMixer: all.slice(2 * nA + nM) };
  const r = hostShareGradients(st, weights, arrays);
  return [...r.agentGrads, ...r.mixerGrads, Float32Array.from(r.sums), r.targetQ ?? new Float32Array(0)];
}
