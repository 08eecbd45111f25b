import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnvSpec } from '../../plugin/core/index.js';
import { exportPolicy, QLearner } from '../../plugin/learn/index.js';
import { decodeFloat32, encodeFloat32 } from '../../plugin/core/index.js';
import { loadPolicy, parsePolicyFile, policyChecksum, PolicyError, POLICY_LIMITS, POLICY_VERSION, type PolicyErrorKind, type PolicyFile } from '../../plugin/runtime/index.js';
import { Rng } from '../../plugin/core/rng.js';
import '../support/tf.js';

const spec: EnvSpec = {
  nAgents: 2,
  obsSize: 4,
  stateSize: 3,
  nActions: 3,
  episodeLimit: 10,
  obsLayout: [
    { name: 'self.xy', size: 2 },
    { name: 'goal.xy', size: 2 },
  ],
};
const learner = new QLearner(spec, { hiddenDim: 8, seed: 1 });
const good: PolicyFile = exportPolicy(learner, { episodes: 12, envSteps: 345, date: new Date('2026-11-21T00:00:00Z') });
learner.dispose();

/** A copy with `edit` applied and, when `reseal`, a fresh checksum (so only the edit is wrong). */
function variant(edit: (f: Record<string, any>) => void, reseal = true): string {
  const f = JSON.parse(JSON.stringify(good)) as Record<string, any>;
  edit(f);
  if (reseal) f.checksum = policyChecksum(f as PolicyFile);
  return JSON.stringify(f);
}

function refused(input: string, kind: PolicyErrorKind, message: RegExp, expect?: Parameters<typeof parsePolicyFile>[1]): void {
  assert.throws(
    () => loadPolicy(input, expect),
    (e: unknown) => e instanceof PolicyError && e.kind === kind && message.test(e.message),
  );
}

describe('policy file', () => {
  test('an exported file carries format, version, spec, layout, architecture, weights, training facts and a checksum', () => {
    assert.equal(good.format, 'phaser-qmix/policy');
    assert.equal(good.version, POLICY_VERSION);
    assert.deepEqual(good.spec, { nAgents: 2, obsSize: 4, nActions: 3 });
    assert.deepEqual(good.observation.layout.map((f) => f.name), ['self.xy', 'goal.xy']);
    assert.deepEqual({ ...good.network }, { kind: 'gru', inputSize: 4 + 3 + 2, hiddenDim: 8, nActions: 3, obsLastAction: true, obsAgentId: true });
    assert.deepEqual(Object.keys(good.weights), ['agent.fc1.w', 'agent.fc1.b', 'agent.gru.wih', 'agent.gru.bih', 'agent.gru.whh', 'agent.gru.bhh', 'agent.fc2.w', 'agent.fc2.b']);
    assert.equal(good.training.algorithm, 'qmix');
    assert.equal(good.training.episodes, 12);
    assert.equal(good.training.envSteps, 345);
    assert.equal(good.training.seed, 1);
    assert.equal(good.training.date, '2026-11-21T00:00:00.000Z');
    assert.match(good.checksum, /^cyrb53:[0-9a-f]{14}$/);
    // Round trip through JSON text, with keys in another order: still valid.
    const shuffled = JSON.stringify(Object.fromEntries(Object.entries(good).reverse()));
    assert.equal(loadPolicy(shuffled).nAgents, 2);
  });

  test('float32 weights survive base64 exactly', () => {
    const data = Float32Array.from([0, -0, 1.5, -3.25e-20, 3.4e38, 1 / 3, Math.PI]);
    assert.deepEqual(decodeFloat32(encodeFloat32(data)), data);
    assert.equal(decodeFloat32('not base64!'), null);
    assert.equal(decodeFloat32('AAAA'), null); // 3 bytes: not a whole float
  });

  test('text that is not JSON (or a file cut short) is refused', () => {
    refused('hello', 'not-json', /not valid JSON/);
    const text = JSON.stringify(good);
    refused(text.slice(0, text.length / 2), 'not-json', /not valid JSON/);
    refused('[1, 2]', 'not-json', /must be a JSON object/);
  });

  test('another format is refused', () => {
    refused(variant((f) => (f.format = 'tfjs-layers-model')), 'format', /not a phaser-qmix policy file: format is "tfjs-layers-model"/);
  });

  test('a newer version than supported is refused, naming both versions', () => {
    refused(variant((f) => (f.version = POLICY_VERSION + 1)), 'version', new RegExp(`version ${POLICY_VERSION + 1} is newer than this runtime reads \\(${POLICY_VERSION}\\)`));
  });

  test('any change to the content without a new checksum is a checksum mismatch', () => {
    refused(variant((f) => (f.training.envSteps = 999), false), 'checksum', /checksum mismatch/);
    // flip one weight value but keep the length
    refused(
      variant((f) => {
        const w = decodeFloat32(f.weights['agent.fc2.b'].data)!;
        w[0] += 1;
        f.weights['agent.fc2.b'].data = encodeFloat32(w);
      }, false),
      'checksum',
      /checksum mismatch/,
    );
  });

  test('truncated weights are refused with the tensor, the count and the shape', () => {
    refused(
      variant((f) => {
        const w = decodeFloat32(f.weights['agent.fc1.w'].data)!;
        f.weights['agent.fc1.w'].data = encodeFloat32(w.subarray(0, 20));
      }),
      'weights',
      /"agent\.fc1\.w" are truncated: 20 values, expected 72 \(\[9, 8\]\)/,
    );
    refused(variant((f) => delete f.weights['agent.gru.bhh']), 'weights', /missing "agent\.gru\.bhh"/);
    refused(variant((f) => (f.weights['agent.fc2.w'].shape = [3, 8])), 'weights', /"agent\.fc2\.w" have shape \[3,8\], expected \[8, 3\]/);
  });

  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`${bad} weights are refused even with a valid checksum`, () => {
      refused(
        variant((f) => {
          const w = decodeFloat32(f.weights['agent.gru.whh'].data)!;
          w[5] = bad;
          f.weights['agent.gru.whh'].data = encodeFloat32(w);
        }),
        'weights',
        new RegExp(`"agent\\.gru\\.whh"\\[5\\] is ${bad}`),
      );
    });
  }

  test('an obs size, action count, agent count or layout that does not match the squad is refused', () => {
    const text = JSON.stringify(good);
    refused(text, 'mismatch', /trained for obs size 4, but it is being loaded for obs size 5/, { obsSize: 5 });
    refused(text, 'mismatch', /trained for action count 3, but it is being loaded for action count 4/, { nActions: 4 });
    refused(text, 'mismatch', /trained for agents 2, but it is being loaded for agents 3/, { nAgents: 3 });
    refused(text, 'mismatch', /layout differs at feature 1: the policy has "goal\.xy" \(2\), the game gives "enemy\.xy" \(2\)/, {
      obsLayout: [
        { name: 'self.xy', size: 2 },
        { name: 'enemy.xy', size: 2 },
      ],
    });
    assert.equal(loadPolicy(text, { nAgents: 2, obsSize: 4, nActions: 3, obsLayout: spec.obsLayout }).obsSize, 4);
  });

  test('a broken structure is refused with the field named', () => {
    refused(variant((f) => (f.network.kind = 'lstm')), 'structure', /network\.kind = "lstm"/);
    refused(variant((f) => (f.network.inputSize = 7)), 'structure', /network\.inputSize = 7 does not match obs 4 \+ extras \(9\)/);
    refused(variant((f) => (f.observation.layout = [{ name: 'x', size: 3 }])), 'structure', /layout sizes sum to 3, but spec\.obsSize is 4/);
  });
  test('declared sizes past the runtime\'s limits are refused before anything is allocated (a small sealed file cannot declare 200k or a billion agents)', () => {
    // Without agent ids the agent count is in no weight shape: only the limit stops it.
    const l = new QLearner(spec, { hiddenDim: 8, seed: 1, obsAgentId: false });
    const noIds = exportPolicy(l, { episodes: 1, envSteps: 1 });
    l.dispose();
    const crafted = (edit: (f: Record<string, any>) => void): string => {
      const f = JSON.parse(JSON.stringify(noIds)) as Record<string, any>;
      edit(f);
      f.checksum = policyChecksum(f as PolicyFile);
      return JSON.stringify(f);
    };
    assert.equal(loadPolicy(crafted(() => {})).nAgents, 2, 'the file itself loads');
    for (const n of [200_000, 1e9]) {
      const t0 = performance.now();
      refused(crafted((f) => (f.spec.nAgents = n)), 'structure', new RegExp(`spec\\.nAgents = ${n} is more than this runtime loads \\(${POLICY_LIMITS.nAgents}\\)`));
      assert.ok(performance.now() - t0 < 2000, `refused in ${performance.now() - t0} ms`);
    }
    assert.equal(loadPolicy(crafted((f) => (f.spec.nAgents = POLICY_LIMITS.nAgents))).nAgents, POLICY_LIMITS.nAgents, 'the limit itself loads');
    refused(crafted((f) => (f.network.hiddenDim = 1e6)), 'structure', /network\.hiddenDim = 1000000 is more than this runtime loads/);
    refused(crafted((f) => (f.spec.nActions = 1e7)), 'structure', /spec\.nActions = 10000000 is more than/);
    refused(crafted((f) => (f.spec.obsSize = 1e8)), 'structure', /spec\.obsSize = 100000000 is more than/);
    refused(crafted((f) => (f.observation.layout = Array.from({ length: 70_000 }, () => ({ name: 'x', size: 1 })))), 'structure', /observation\.layout has 70000 entries/);
    // Sizes under each limit whose weights would still be huge: refused on the total before decoding.
    refused(
      crafted((f) => {
        f.spec.obsSize = 60_000;
        f.network.inputSize = 60_000 + (f.network.obsLastAction ? f.spec.nActions : 0);
        f.network.hiddenDim = 4096;
        f.observation.layout = [{ name: 'x', size: 60_000 }];
      }),
      'weights',
      /policy weights would hold \d+ values, more than this runtime loads/,
    );
  });
});

describe('policy file fuzz', () => {
  test('400 seeded mutations (values, types, deleted keys, prototype keys, deep nesting), resealed: a PolicyError or a policy that acts, never another exception', () => {
    const rng = new Rng(1, 'policy-fuzz');
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
    // Deep nesting is spliced into the text (JSON.stringify itself gives up past a few thousand levels).
    const DEEP = '"\\u0000deep"';
    const deepText = (n: number): string => (rng.int(2) === 0 ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);
    const WILD = (): unknown => pick<() => unknown>([() => 0, () => -1, () => 1.5, () => 1e9, () => null, () => 'x', () => '__proto__', () => true, () => [], () => ({}), () => [1, 2], () => '\u0000deep', () => JSON.parse('{"__proto__": {"polluted": 1}}'), () => ({ constructor: 1, toString: 2 })])();
    const leaves = (o: unknown, out: [Record<string, unknown>, string][] = []): [Record<string, unknown>, string][] => {
      if (o !== null && typeof o === 'object') for (const k of Object.keys(o)) {
        const v = (o as Record<string, unknown>)[k];
        out.push([o as Record<string, unknown>, k]);
        // Weight data strings are leaves; do not walk into the characters.
        if (typeof v === 'object') leaves(v, out);
      }
      return out;
    };
    const seen: Record<string, number> = {};
    for (let i = 0; i < 400; i++) {
      const f = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
      const targets = leaves(f).filter(([, k]) => k !== 'checksum');
      const kind = rng.int(4);
      const [holder, key] = pick(targets);
      if (kind === 0) holder[key] = WILD();
      else if (kind === 1) delete holder[key];
      else if (kind === 2) holder[pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x'])] = WILD();
      else if (typeof holder[key] === 'string' && (holder[key] as string).length > 8) {
        // Base64 weight data: flip a character, or cut it.
        const s = holder[key] as string;
        const at = rng.int(s.length);
        holder[key] = rng.int(2) === 0 ? s.slice(0, at) + pick(['A', '/', '=', '!', '\u00e9']) + s.slice(at + 1) : s.slice(0, at);
      } else holder[key] = WILD();
      try {
        f.checksum = policyChecksum(f as unknown as PolicyFile);
      } catch {
        // Unsealable (e.g. an array whose "constructor" was overwritten): the loader still gets it, unsealed.
      }
      const text = JSON.stringify(f).replace(DEEP, () => deepText(1_000_000));
      try {
        const p = loadPolicy(text);
        p.resetEpisode();
        const q = p.act(0, new Float32Array(p.obsSize), new Uint8Array(p.nActions).fill(1));
        assert.ok(q >= 0 && q < p.nActions);
        seen.loaded = (seen.loaded ?? 0) + 1;
      } catch (e) {
        if (!(e instanceof PolicyError)) throw new Error(`mutation ${i} (kind ${kind}, key ${key}) threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
        seen[e.kind] = (seen[e.kind] ?? 0) + 1;
      }
    }
    console.log(`policy fuzz: ${JSON.stringify(seen)}`);
    // Nesting that JSON.parse takes but a recursive walk of the file does not: refused by name.
    const nested = JSON.stringify({ ...good, training: { ...good.training, note: '\u0000deep' } }).replace(DEEP, `${'['.repeat(1_000_000)}1${']'.repeat(1_000_000)}`);
    refused(nested, 'structure', /nested too deeply/);
    assert.ok((seen.loaded ?? 0) < 300, `most mutations are refused: ${JSON.stringify(seen)}`);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  });
});
