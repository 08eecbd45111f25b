// The 'auto' backend decision with injected probes: which rules skip the
// WebGL trial, the bound on a slow first WebGL update, remembering, and
// store failures that must not break the choice.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MemoryChoiceStore,
  choiceKey,
  decideBackend,
  estimateUpdate,
  softwareRenderer,
  updateShape,
  type BackendChoiceStore,
  type BackendProbes,
  type ChosenBackend,
  type TrialTiming,
} from '../../plugin/worker/backend-choice.js';
import type { EnvSpec } from '../../plugin/core/env.js';

const REFERENCE: EnvSpec = { nAgents: 3, obsSize: 30, stateSize: 40, nActions: 5, episodeLimit: 50 };
const GRU = updateShape(REFERENCE, { agent: 'gru' });
const MLP = updateShape(REFERENCE, { agent: 'mlp' });
const TINY = updateShape({ nAgents: 2, obsSize: 3, stateSize: 3, nActions: 3, episodeLimit: 2 }, { agent: 'mlp', batchSize: 8 });
const SWIFTSHADER = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const GPU = 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 (0x00002504) Direct3D11 vs_5_0 ps_5_0, D3D11)';

/** Fake probes: records every switch and trial; `times` says what a trial on each backend measures. */
function probes(renderer: string | null | undefined, times: Partial<Record<ChosenBackend, TrialTiming>>, extra: Partial<BackendProbes> = {}) {
  const used: ChosenBackend[] = [];
  const timed: { backend: ChosenBackend; limit: number }[] = [];
  let active: ChosenBackend | null = null;
  const p: BackendProbes = {
    renderer: renderer === undefined ? undefined : () => renderer,
    async use(b) {
      used.push(b);
      if (!(b in times) && b !== 'cpu') throw new Error(`${b} cannot start here`);
      active = b;
    },
    time(_n, limit) {
      timed.push({ backend: active!, limit });
      return times[active!]!;
    },
    ...extra,
  };
  return { p, used, timed };
}

const WASM_OK: TrialTiming = { first: 120, steady: 37 };

describe('the auto backend decision', () => {
  test('a software renderer means no WebGL trial, and the reason names it', async () => {
    for (const [renderer, name] of [
      [SWIFTSHADER, 'SwiftShader'],
      ['llvmpipe (LLVM 15.0.6, 256 bits)', 'llvmpipe'],
      ['ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11)', 'Microsoft Basic Render Driver'],
    ]) {
      const { p, used, timed } = probes(renderer, { wasm: WASM_OK, webgl: { first: 20000, steady: 900 } });
      const d = await decideBackend(p, { shape: GRU, trialUpdates: 3 });
      assert.equal(d.choice, 'wasm');
      assert.ok(!used.includes('webgl'), `WebGL was started for ${renderer}`);
      assert.deepEqual(timed.map((t) => t.backend), ['wasm']);
      assert.equal(d.reason, `WebGL runs on a software renderer (${name}): no trial, wasm`);
      assert.equal(d.timings.webgl, null);
      assert.ok(!('webglFirst' in d.timings));
      assert.equal(d.timings.wasm, 37);
    }
    assert.equal(softwareRenderer(GPU), null);
  });

  test('no WebGL context: no trial; wasm that cannot start falls back to cpu', async () => {
    const none = probes(null, { wasm: WASM_OK });
    const d = await decideBackend(none.p, { shape: GRU, trialUpdates: 3 });
    assert.equal(d.choice, 'wasm');
    assert.match(d.reason, /^webgl unavailable \(this worker cannot create a WebGL context\): no trial, wasm$/);
    assert.ok(!none.used.includes('webgl'));
    const noWasm = probes(SWIFTSHADER, {});
    const c = await decideBackend(noWasm.p, { shape: GRU, trialUpdates: 3 });
    assert.equal(c.choice, 'cpu');
    assert.match(c.reason, /software renderer \(SwiftShader\): no trial, cpu; wasm unavailable \(wasm cannot start here\)/);
    assert.deepEqual(noWasm.used, ['wasm', 'cpu']);
  });

  test('a small update skips the trial even on a hardware GPU; a large MLP update is timed', async () => {
    // The estimate against the measured reference: 37 ms (GRU) and 16 ms (MLP) in a Chromium worker.
    const gru = estimateUpdate(GRU);
    assert.ok(gru.wasmMs > 37 && gru.wasmMs < 70, `GRU wasm estimate ${gru.wasmMs}`);
    assert.ok(gru.webglFloorMs > gru.wasmMs, 'no GPU beats wasm at the reference GRU shape');
    const mlp = estimateUpdate(MLP);
    assert.ok(mlp.wasmMs > 16 && mlp.webglFloorMs < mlp.wasmMs, 'a fast GPU might beat wasm at the reference MLP shape');
    for (const shape of [TINY, GRU]) {
      const { p, used } = probes(GPU, { wasm: WASM_OK, webgl: { first: 900, steady: 5 } });
      const d = await decideBackend(p, { shape, trialUpdates: 3 });
      assert.equal(d.choice, 'wasm');
      assert.ok(!used.includes('webgl'));
      assert.match(d.reason, /^the update is small \(at most about \d+ ms on wasm, while WebGL needs \d+ shader launches, at least \d+ ms on any GPU\): no trial, wasm$/);
    }
    const big = probes(GPU, { wasm: { first: 60, steady: 16 }, webgl: { first: 900, steady: 5 } });
    const d = await decideBackend(big.p, { shape: MLP, trialUpdates: 3 });
    assert.equal(d.choice, 'webgl');
    assert.deepEqual(big.timed.map((t) => t.backend), ['wasm', 'webgl']);
    assert.equal(d.reason, 'fastest steady update of the wasm and webgl trial (wasm 16 ms, webgl 5 ms)');
    assert.deepEqual(d.timings, { wasm: 16, wasmFirst: 60, webgl: 5, webglFirst: 900 });
  });

  test('a first WebGL update over the limit stops the trial and chooses wasm', async () => {
    const { p, timed, used } = probes(GPU, { wasm: { first: 60, steady: 16 }, webgl: { first: 5200, steady: null } });
    const d = await decideBackend(p, { shape: MLP, trialUpdates: 3 });
    assert.equal(d.choice, 'wasm');
    assert.deepEqual(timed, [
      { backend: 'wasm', limit: Number.POSITIVE_INFINITY },
      { backend: 'webgl', limit: 3000 },
    ]);
    assert.equal(used.at(-1), 'wasm', 'tfjs is left on the choice');
    assert.equal(d.reason, 'the first WebGL update took 5.2 s (over the 3.0 s limit): trial stopped, wasm');
    assert.equal(d.timings.webgl, null);
    assert.equal(d.timings.webglFirst, 5200);
    const custom = probes(GPU, { wasm: WASM_OK, webgl: { first: 900, steady: null } });
    await decideBackend(custom.p, { shape: MLP, trialUpdates: 3, firstLimitMs: 500 });
    assert.equal(custom.timed[1].limit, 500);
  });

  test('a trial result is remembered per renderer and shape, and reused without a trial', async () => {
    const store = new MemoryChoiceStore();
    let clock = Date.parse('2025-03-01T12:00:00Z');
    const now = () => clock;
    const first = probes(GPU, { wasm: { first: 60, steady: 16 }, webgl: { first: 900, steady: 5 } }, { store, now });
    assert.equal((await decideBackend(first.p, { shape: MLP, trialUpdates: 3 })).choice, 'webgl');
    assert.deepEqual([...store.entries.keys()], [choiceKey(GPU, MLP)]);

    clock += 24 * 3600 * 1000;
    const again = probes(GPU, { wasm: { first: 60, steady: 16 }, webgl: { first: 900, steady: 5 } }, { store, now });
    const d = await decideBackend(again.p, { shape: MLP, trialUpdates: 3 });
    assert.equal(d.choice, 'webgl');
    assert.deepEqual(again.timed, [], 'no trial');
    assert.deepEqual(again.used, ['webgl']);
    assert.equal(d.reason, 'remembered for this device and update shape (trial of 2025-03-01: fastest steady update of the wasm and webgl trial (wasm 16 ms, webgl 5 ms))');
    assert.equal(d.timings.webgl, 5);

    // Another renderer (a driver update) or another shape is a new device: timed again.
    const other = probes(`${GPU} v2`, { wasm: { first: 60, steady: 16 }, webgl: { first: 900, steady: 5 } }, { store, now });
    await decideBackend(other.p, { shape: MLP, trialUpdates: 3 });
    assert.equal(other.timed.length, 2);
    // Past rememberForMs the choice is timed again.
    clock += 40 * 24 * 3600 * 1000;
    const stale = probes(GPU, { wasm: { first: 60, steady: 16 }, webgl: { first: 900, steady: 5 } }, { store, now });
    await decideBackend(stale.p, { shape: MLP, trialUpdates: 3 });
    assert.equal(stale.timed.length, 2);
    // A slow first update is remembered too: the next start skips the 3 s.
    const slowStore = new MemoryChoiceStore();
    await decideBackend(probes(GPU, { wasm: WASM_OK, webgl: { first: 5200, steady: null } }, { store: slowStore }).p, { shape: MLP, trialUpdates: 3 });
    const slowAgain = probes(GPU, { wasm: WASM_OK, webgl: { first: 5200, steady: null } }, { store: slowStore });
    const s = await decideBackend(slowAgain.p, { shape: MLP, trialUpdates: 3 });
    assert.equal(s.choice, 'wasm');
    assert.deepEqual(slowAgain.timed, []);
    assert.match(s.reason, /^remembered .*first WebGL update took 5\.2 s/);
  });

  test('rules that need no trial remember nothing', async () => {
    const store = new MemoryChoiceStore();
    await decideBackend(probes(SWIFTSHADER, { wasm: WASM_OK }, { store }).p, { shape: GRU, trialUpdates: 3 });
    await decideBackend(probes(GPU, { wasm: WASM_OK }, { store }).p, { shape: TINY, trialUpdates: 3 });
    assert.equal(store.entries.size, 0);
  });

  test('store failures do not break the choice: they only add a note', async () => {
    const times = { wasm: { first: 60, steady: 16 }, webgl: { first: 900, steady: 5 } };
    const failing: BackendChoiceStore = {
      get: () => Promise.reject(new Error('QuotaExceededError')),
      put: () => Promise.reject(new Error('the disk is full')),
    };
    const a = await decideBackend(probes(GPU, times, { store: failing }).p, { shape: MLP, trialUpdates: 3 });
    assert.equal(a.choice, 'webgl');
    assert.match(a.reason, /^fastest steady update .*; no remembered choice \(QuotaExceededError\); the choice was not remembered \(the disk is full\)$/);

    const hanging: BackendChoiceStore = { get: () => new Promise(() => {}), put: () => new Promise(() => {}) };
    const b = await decideBackend(probes(GPU, times, { store: hanging }).p, { shape: MLP, trialUpdates: 3, storeTimeoutMs: 20 });
    assert.equal(b.choice, 'webgl');
    assert.match(b.reason, /no remembered choice \(the backend-choice store did not answer within 20 ms\)/);

    const throwing: BackendChoiceStore = {
      get: () => {
        throw new Error('sync throw');
      },
      put: async () => {},
    };
    assert.equal((await decideBackend(probes(GPU, times, { store: throwing }).p, { shape: MLP, trialUpdates: 3 })).choice, 'webgl');

    // A remembered backend that no longer starts: timed again.
    const store = new MemoryChoiceStore();
    await store.put(choiceKey(GPU, MLP), { choice: 'webgl', timings: { webgl: 5 }, reason: 'old', at: Date.now() });
    const gone = probes(GPU, { wasm: WASM_OK }, { store });
    const c = await decideBackend(gone.p, { shape: MLP, trialUpdates: 3 });
    assert.equal(c.choice, 'wasm');
    assert.match(c.reason, /the remembered webgl did not start \(webgl cannot start here\)/);
  });

  test('a renderer probe that throws counts as unknown; without a probe the trial decides', async () => {
    const { p, timed } = probes(GPU, { wasm: { first: 60, steady: 16 }, webgl: { first: 900, steady: 30 } }, {
      renderer: () => {
        throw new Error('context creation blocked');
      },
    });
    const d = await decideBackend(p, { shape: MLP, trialUpdates: 3 });
    assert.equal(d.choice, 'wasm');
    assert.equal(timed.length, 2);
    assert.match(d.reason, /WebGL renderer could not be read \(context creation blocked\)/);
    const unknown = probes(undefined, { wasm: { first: 60, steady: 16 } });
    const u = await decideBackend(unknown.p, { shape: MLP, trialUpdates: 3 });
    assert.equal(u.choice, 'wasm');
    assert.match(u.reason, /webgl unavailable \(webgl cannot start here\)/);
  });
});
