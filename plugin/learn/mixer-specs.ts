/** A mixer's sizes and parameter names (no tfjs: the kernel helper thread reads them too). */
import type { MixerInit, MixerKind, NonNegative } from '../core/config.js';
import { linearSpecs, type ParamSpec } from '../core/agent-arch.js';

/** Sizes and options of a mixer. */
export interface MixerShape {
  readonly kind: MixerKind;
  readonly nAgents: number;
  readonly stateSize: number;
  readonly embedDim: number;
  readonly hypernetLayers: 1 | 2;
  readonly hypernetEmbed: number;
  readonly nonNegative: NonNegative;
}

/**
 * Number of value columns the mixer returns per row: 1 for qmix/vdn, nAgents for none.
 * @example
 * ```ts
 * mixerOutputs({ ...shape, kind: 'none', nAgents: 3 }); // 3
 * ```
 */
export function mixerOutputs(s: MixerShape): number {
  return s.kind === 'none' ? s.nAgents : 1;
}

/**
 * Parameter specs (empty for vdn and none).
 * @example
 * ```ts
 * const mixer = ParamSet.create(mixerParamSpecs(shape), new Rng(0));
 * ```
 */
export function mixerParamSpecs(s: MixerShape): ParamSpec[] {
  if (s.kind !== 'qmix') return [];
  const { stateSize: S, embedDim: E, nAgents: N, hypernetEmbed: HE } = s;
  const hyper = (name: string, out: number): ParamSpec[] =>
    s.hypernetLayers === 1
      ? linearSpecs(`mixer.${name}`, S, out)
      : [...linearSpecs(`mixer.${name}.0`, S, HE), ...linearSpecs(`mixer.${name}.1`, HE, out)];
  return [
    ...hyper('hyperW1', N * E),
    ...linearSpecs('mixer.hyperB1', S, E),
    ...hyper('hyperW2', E),
    ...linearSpecs('mixer.v.0', S, E),
    ...linearSpecs('mixer.v.1', E, 1),
  ];
}

/** The parameters a `neutral` init sets to zero: every term of Q_tot that depends on the state alone. */
const STATE_ONLY = new Set(['mixer.hyperB1.w', 'mixer.hyperB1.b', 'mixer.v.1.w', 'mixer.v.1.b']);

/**
 * The specs to initialise a mixer from: `neutral` gives the state-only terms
 * a zero bound. The RNG still draws every value (a zero-width uniform), so
 * all other weights equal the `torch` init's for the same seed.
 * @example
 * ```ts
 * const mixer = ParamSet.create(mixerInitSpecs(shape, 'neutral'), new Rng(0)); // Q_tot(q = 0, s) = 0
 * ```
 */
export function mixerInitSpecs(s: MixerShape, init: MixerInit): ParamSpec[] {
  const specs = mixerParamSpecs(s);
  return init === 'neutral' ? specs.map((p) => (STATE_ONLY.has(p.name) ? { ...p, bound: 0 } : p)) : specs;
}
