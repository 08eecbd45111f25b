import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkObservation, checkStep, validateSpec } from '../../plugin/core/index.js';
import { makeEnv, PLATES_STEP_PENALTY, PressurePlates, Pursuit, PURSUIT_STEP_PENALTY } from '../../plugin/envs/index.js';

/** Moves an agent one step toward (row, col): rows first. */
function toward(r: number, c: number, tr: number, tc: number): number {
  if (r > tr) return 1;
  if (r < tr) return 2;
  if (c > tc) return 3;
  if (c < tc) return 4;
  return 0;
}

/** Cell of agent `a` (and the offsets it sees) from its observation, in grid units. */
function read(obs: ArrayLike<number>, a: number, O: number, S: number): number[] {
  return Array.from({ length: O }, (_, i) => Math.round(obs[a * O + i] * S));
}

describe('pressure plates', () => {
  test('the door opens only when both plates are held at once; one plate alone earns only the step penalty', () => {
    const env = new PressurePlates({ size: 5 });
    validateSpec(env.spec);
    const S = 4;
    const O = env.spec.obsSize;
    let o = env.reset(7);
    checkObservation(env.spec, o, 'reset');
    // Agent 0 goes to plate 0 and waits; agent 1 goes to plate 1 (a plan that needs both).
    let rewards = 0;
    let alone = 0;
    for (let t = 0; t < 30 && !env.won(); t++) {
      const actions = [0, 1].map((a) => {
        const v = read(o.obs, a, O, S);
        const [r, c] = v;
        const [dr, dc] = a === 0 ? [v[2], v[3]] : [v[4], v[5]];
        return toward(r, c, r + dr, c + dc);
      });
      const s = env.step(actions);
      checkStep(s, `step ${t}`);
      rewards += s.reward;
      const v0 = read(s.obs, 0, O, S);
      const v1 = read(s.obs, 1, O, S);
      if (!env.won() && ((v0[2] === 0 && v0[3] === 0) !== (v1[4] === 0 && v1[5] === 0))) alone++;
      if (env.won()) {
        assert.equal(s.terminated, true);
        assert.ok(Math.abs(s.reward - (1 + PLATES_STEP_PENALTY)) < 1e-9);
      } else assert.ok(Math.abs(s.reward - PLATES_STEP_PENALTY) < 1e-9, `step ${t}: ${s.reward}`);
      o = s;
    }
    assert.equal(env.won(), true);
    assert.ok(rewards < 1);
    // On this seed one agent arrived first and stood on its plate alone for a while, unpaid.
    assert.ok(alone >= 1, 'the seed should have one agent waiting on a plate');
  });

  test('plates sit on the fixed corners by default, at random cells per episode with -random', () => {
    const plates = (env: PressurePlates, seed: number): string => {
      const o = env.reset(seed);
      // Agent 0's cell plus its offsets give the plate cells (grid units).
      const v = read(o.obs, 0, env.spec.obsSize, env.size - 1);
      return `${v[0] + v[2]},${v[1] + v[3]} ${v[0] + v[4]},${v[1] + v[5]}`;
    };
    const fixed = makeEnv('plates') as PressurePlates;
    assert.equal(fixed.size, 6);
    assert.deepEqual([1, 2, 3].map((s) => plates(fixed, s)), ['0,5 5,0', '0,5 5,0', '0,5 5,0']);
    const random = makeEnv('plates:6x6-random') as PressurePlates;
    assert.equal(random.randomPlates, true);
    assert.ok(new Set([1, 2, 3, 4].map((s) => plates(random, s))).size >= 3);
  });

  test('staying put never opens the door; the limit truncates; the registry builds sizes by name', () => {
    const env = makeEnv('plates:4x4') as PressurePlates;
    assert.equal(env.size, 4);
    env.reset(2);
    let s = env.step([0, 0]);
    for (let t = 1; t < env.spec.episodeLimit; t++) s = env.step([0, 0]);
    assert.equal(s.truncated, true);
    assert.equal(s.terminated, false);
    assert.equal(env.won(), false);
    assert.throws(() => makeEnv('plates:4x5'), /must look like 6x6/);
    assert.throws(() => makeEnv('plates:2x2'), /side 3 or more/);
  });
});

describe('pursuit', () => {
  test('one hunter next to the prey is not a catch; both next to it is, and pays 1', () => {
    const env = new Pursuit({ size: 7, flee: 0 });
    validateSpec(env.spec);
    const O = env.spec.obsSize;
    const S = 6;
    let o = env.reset(11);
    let oneNext = 0;
    let caughtAt = -1;
    for (let t = 0; t < env.spec.episodeLimit && !env.won(); t++) {
      const actions = [0, 1].map((a) => {
        const v = read(o.obs, a, O, S);
        // Chase the prey, but hold still once next to it.
        return Math.abs(v[2]) + Math.abs(v[3]) <= 1 ? 0 : toward(v[0], v[1], v[0] + v[2], v[1] + v[3]);
      });
      const s = env.step(actions);
      checkStep(s, `step ${t}`);
      const near = [0, 1].map((a) => {
        const v = read(s.obs, a, O, S);
        return Math.abs(v[2]) + Math.abs(v[3]) <= 1;
      });
      if (env.won()) {
        caughtAt = t;
        assert.ok(Math.abs(s.reward - (1 + PURSUIT_STEP_PENALTY)) < 1e-9);
        assert.equal(s.terminated, true);
      } else {
        assert.ok(!(near[0] && near[1]), 'both hunters next to the prey must be a catch');
        if (near[0] !== near[1]) oneNext++;
        assert.ok(Math.abs(s.reward - PURSUIT_STEP_PENALTY) < 1e-9);
      }
      o = s;
    }
    assert.ok(caughtAt >= 0, 'two chasing hunters catch a wandering prey within the limit on this seed');
    assert.ok(oneNext >= 1, 'on this seed one hunter reached the prey first without a catch');
  });

  test('a prey that always flees keeps its distance from one idle hunter; seeds reproduce', () => {
    const a = new Pursuit({ size: 7, flee: 1 });
    const b = new Pursuit({ size: 7, flee: 1 });
    const oa = a.reset(5);
    const ob = b.reset(5);
    assert.deepEqual(Array.from(oa.obs), Array.from(ob.obs));
    for (let t = 0; t < 20; t++) {
      const sa = a.step([0, 0]);
      const sb = b.step([0, 0]);
      assert.deepEqual(Array.from(sa.state), Array.from(sb.state));
      assert.equal(a.won(), false);
    }
    assert.throws(() => new Pursuit({ flee: 2 }), /flee probability 2/);
  });
});
