// Worker messages and options, crafted and mutated with a seeded generator
// (Rng stream 'msg-fuzz'): the client and the host answer each with an error
// event or a correct reaction, never an exception, a crash or a restart;
// bad WorkerTrainer options are refused by name before a worker starts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng, type EnvSpec } from '../../plugin/core/index.js';
import { useBackend } from '../../plugin/learn/index.js';
import { TrainerHost } from '../../plugin/worker/host.js';
import { ProtocolError, WorkerTrainer, WorkerTrainerEvents, type WorkerLike } from '../../plugin/worker/index.js';
import '../support/tf.js';

const spec: EnvSpec = { nAgents: 2, obsSize: 3, stateSize: 3, nActions: 2, episodeLimit: 2 };
const TYPES = ['ready', 'backend', 'weights', 'metrics', 'saved', 'restored', 'policy', 'progress', 'test', 'credit', 'error', 'rollback', 'diverged', 'init', 'episode', 'pause', 'resume', 'save', 'load', 'restore', 'export', 'launch', '__proto__', 'constructor'];
const FIELDS = ['updates', 'envSteps', 'episodes', 'backend', 'metrics', 'header', 'weights', 'name', 'message', 'fatal', 'info', 'test', 'id', 'policy', 'credits', 'choice', 'timings', 'reason', 'resumedFromUpdates', 'spec', 'config', 'options', 'episode', 'maxLoad', 'includeBuffer', 'which', 'qs', 'state'];

function wild(rng: Rng, depth = 0): unknown {
  const k = rng.int(depth > 1 ? 10 : 13);
  switch (k) {
    case 0: return NaN;
    case 1: return -1;
    case 2: return 1e12;
    case 3: return rng.int(5);
    case 4: return 'x';
    case 5: return null;
    case 6: return undefined;
    case 7: return true;
    case 8: return new Float32Array(rng.int(4));
    case 9: return [1, 'a', null];
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--) o[FIELDS[rng.int(FIELDS.length)]] = wild(rng, depth + 1);
      return o;
    }
  }
}

function message(rng: Rng): unknown {
  if (rng.int(10) === 0) return wild(rng);
  const m: Record<string, unknown> = { type: TYPES[rng.int(TYPES.length)] };
  for (let i = rng.int(5); i > 0; i--) m[FIELDS[rng.int(FIELDS.length)]] = wild(rng);
  return m;
}

describe('worker messages fuzz', () => {
  test('the client: 600 crafted messages from a worker give error events (or are taken), never an exception or a restart', () => {
    let fake: WorkerLike | null = null;
    const client = new WorkerTrainer(spec, {}, { createWorker: () => (fake = { onmessage: null, onerror: null, postMessage() {}, terminate() {} }), adaptiveLoad: false });
    let errors = 0;
    client.on(WorkerTrainerEvents.ERROR, () => errors++);
    const rng = new Rng(1, 'msg-fuzz');
    for (let i = 0; i < 600; i++) {
      const m = message(rng);
      try {
        fake!.onmessage!({ data: m });
      } catch (e) {
        assert.fail(`message ${i} ${JSON.stringify(m)} threw ${(e as Error).message}`);
      }
    }
    assert.ok(errors > 300, `most are refused: ${errors}`);
    assert.equal(client.restarts, 0);
    client.dispose();
  });

  test('the host: 600 crafted messages to a worker are answered with error messages, never an exception', async () => {
    const posted: { type: string; message?: string }[] = [];
    const host = new TrainerHost((m) => posted.push(m as { type: string }), { store: null, useBackend: (name) => useBackend(name) });
    const rng = new Rng(2, 'msg-fuzz');
    for (let i = 0; i < 600; i++) {
      const m = message(rng);
      // 'init' with real options would start training; here every init is crafted, so it is refused or fails to start.
      try {
        host.handle(m);
      } catch (e) {
        assert.fail(`message ${i} ${JSON.stringify(m)} threw ${(e as Error).message}`);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
    host.stop();
    assert.ok(posted.filter((p) => p.type === 'error').length > 300, `most are refused: ${posted.length}`);
  });
});

test('WorkerTrainer options: NaN, zero or out-of-range values are refused by name before any worker starts', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ metricsEveryMs: NaN }, /option metricsEveryMs = NaN is invalid: expected a number of ms in \[0, 3600000\]/],
    [{ weightsEvery: 0 }, /option weightsEvery = 0 is invalid: expected a whole number of updates >= 1/],
    [{ updatesPerEpisode: NaN }, /option updatesPerEpisode = NaN is invalid/],
    [{ updatesPerEpisode: 0 }, /option updatesPerEpisode = 0 is invalid/],
    [{ maxLoad: 0 }, /option maxLoad = 0 is invalid: expected a share of time in \(0, 1\]/],
    [{ maxLoad: 2 }, /option maxLoad = 2 is invalid/],
    [{ backend: 'gpu' }, /option backend = "gpu" is invalid/],
    [{ autosaveEvery: -1 }, /option autosaveEvery = -1 is invalid/],
    [{ autosaveName: '' }, /option autosaveName = "" is invalid/],
    [{ heartbeatMs: NaN }, /option heartbeatMs = NaN is invalid/],
    [{ frameP95Ratio: 0.5 }, /option frameP95Ratio = 0.5 is invalid/],
    [{ maxLagUpdates: NaN }, /option maxLagUpdates = NaN is invalid/],
  ];
  let started = 0;
  for (const [options, want] of cases) {
    assert.throws(() => new WorkerTrainer(spec, {}, { createWorker: () => (started++, { onmessage: null, onerror: null, postMessage() {}, terminate() {} }), ...options }), (e: Error) => e instanceof ProtocolError && want.test(e.message), JSON.stringify(options, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
  }
  assert.equal(started, 0);
});
