// Demonstrations: the file format (sealed, tied to the spec and layout), the
// recorder a heuristic squad hands its episodes to, and their own part of the
// replay, sampled at a share of every batch.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collateEpisodes, DemoError, makeDemoFile, parseDemoFile, type EnvSpec, type EpisodeRecord } from '../../plugin/core/index.js';
import { Rng } from '../../plugin/core/rng.js';
import { EpisodeTrainer } from '../../plugin/learn/index.js';
import { DemoRecorder } from '../../plugin/phaser/demo-recorder.js';
import { Squad } from '../../plugin/phaser/squad.js';
import '../support/tf.js';

const spec: EnvSpec = { nAgents: 2, obsSize: 3, stateSize: 4, nActions: 3, episodeLimit: 5, obsLayout: [{ name: 'a', size: 1 }, { name: 'b', size: 2 }] };

/** A random valid episode; every reward is `marker` (to tell episodes apart in a batch). */
function episode(rng: Rng, marker: number, length = 1 + rng.int(spec.episodeLimit)): EpisodeRecord {
  const n = spec.nAgents;
  const A = spec.nActions;
  const avail = new Uint8Array((length + 1) * n * A).fill(1);
  const actions = new Int32Array(length * n);
  for (let i = 0; i < actions.length; i++) {
    actions[i] = rng.int(A);
    avail[i * A + ((actions[i] + 1) % A)] = 0; // one other action masked, so masks round-trip too
  }
  return {
    length,
    terminated: rng.next() < 0.5,
    obs: Float32Array.from({ length: (length + 1) * n * spec.obsSize }, () => rng.next() - 0.5),
    state: Float32Array.from({ length: (length + 1) * spec.stateSize }, () => rng.next()),
    avail,
    actions,
    rewards: new Float32Array(length).fill(marker),
  };
}

describe('demonstration files', () => {
  test('a file round-trips every episode exactly, through JSON text', () => {
    const rng = new Rng(1);
    const eps = Array.from({ length: 7 }, (_, i) => episode(rng, i));
    const text = JSON.stringify(makeDemoFile(spec, eps, { source: 'scripted', date: new Date('2026-12-01T00:00:00Z') }));
    const { file, episodes } = parseDemoFile(text, spec);
    assert.equal(file.source, 'scripted');
    assert.equal(episodes.length, 7);
    episodes.forEach((ep, i) => {
      for (const k of ['obs', 'state', 'avail', 'actions', 'rewards'] as const) assert.deepEqual(Array.from(ep[k]), Array.from(eps[i][k]), `episode ${i} ${k}`);
      assert.equal(ep.length, eps[i].length);
      assert.equal(ep.terminated, eps[i].terminated);
      assert.ok(ep.actions instanceof Int32Array && ep.avail instanceof Uint8Array);
    });
  });

  test('files for another squad, changed files and crafted files are refused by name', () => {
    const rng = new Rng(2);
    const good = makeDemoFile(spec, [episode(rng, 1), episode(rng, 2)]);
    const refused = (input: unknown, kind: string, pattern: RegExp, expect = {}) =>
      assert.throws(() => parseDemoFile(input as object, expect), (e: Error) => e instanceof DemoError && e.kind === kind && pattern.test(e.message), `${kind} ${pattern}`);
    refused('{', 'json', /not JSON/);
    refused({ ...good, format: 'phaser-qmix-policy' }, 'format', /format is "phaser-qmix-policy", expected "phaser-qmix-demonstrations"/);
    refused({ ...good, version: 9 }, 'version', /version 9 is not supported/);
    refused(good, 'mismatch', /recorded with obsSize 3, but it is being loaded for obsSize 4/, { obsSize: 4 });
    refused(good, 'mismatch', /observation layout differs at feature 1: the file has "b" \(2\), the game gives "rays" \(2\)/, { obsLayout: [{ name: 'a', size: 1 }, { name: 'rays', size: 2 }] });
    const tampered = JSON.parse(JSON.stringify(good));
    tampered.episodes[1].rewards = makeDemoFile(spec, [{ ...episode(new Rng(9), 5, tampered.episodes[1].length) }]).episodes[0].rewards;
    refused(tampered, 'checksum', /checksum does not match/);
    const edit = (f: (e: Record<string, unknown>) => void) => {
      const c = JSON.parse(JSON.stringify(good));
      f(c.episodes[0]);
      return c;
    };
    refused(edit((e) => (e.length = 99)), 'structure', /episodes\[0\]\.length is 99: expected an integer in 1\.\.5/);
    refused(edit((e) => (e.obs = 'not base64!')), 'structure', /episodes\[0\]\.obs does not decode/);
    refused(edit((e) => (e.rewards = 'AAAA')), 'structure', /episodes\[0\]\.rewards does not decode/);
    // An action out of range is refused when writing, and when reading a file that holds one.
    const bad = episode(new Rng(3), 1, 2);
    bad.actions[1] = 7;
    assert.throws(() => makeDemoFile(spec, [bad]), /action of agent 1 at step 0 is 7: expected 0\.\.2/);
    const crafted = JSON.parse(JSON.stringify(makeDemoFile(spec, [episode(new Rng(3), 1, 2)])));
    crafted.episodes[0].actions = Buffer.from(new Uint8Array(bad.actions.buffer)).toString('base64');
    refused(crafted, 'structure', /episodes\[0\]: episode action of agent 1 at step 0 is 7/);
  });

  test('a small crafted file cannot declare a huge squad: refused before anything is decoded', () => {
    const good = makeDemoFile(spec, [episode(new Rng(4), 1, 1)]);
    const huge = { ...good, spec: { ...good.spec, nAgents: 100_000, obsSize: 100_000, obsLayout: undefined } }; // 1e10 values in its one episode
    const t0 = Date.now();
    assert.throws(() => parseDemoFile(huge), (e: Error) => e instanceof DemoError && e.kind === 'structure' && /more than/.test(e.message));
    assert.ok(Date.now() - t0 < 5000);
  });
});

describe('demonstrations in training', () => {
  const config = { preset: 'pymarl' as const, batchSize: 8, bufferSize: 8, seed: 3 };
  const tspec: EnvSpec = { ...spec, obsLayout: undefined };

  function watched(trainer: EpisodeTrainer): number[][] {
    const seen: number[][] = [];
    const l = trainer.learner;
    const update = l.update.bind(l);
    l.update = (batch, eps) => {
      // Each row's first reward: the marker of the episode it came from.
      seen.push(Array.from({ length: batch.batchSize }, (_, b) => batch.rewards[b])); // time-major: step 0 of row b
      return update(batch, eps);
    };
    return seen;
  }

  test('their share of every batch comes from them, and new episodes never overwrite them', () => {
    const rng = new Rng(5);
    const trainer = new EpisodeTrainer(tspec, config);
    try {
      trainer.addDemonstrations(Array.from({ length: 6 }, () => episode(rng, 7)), { share: 0.5 });
      const seen = watched(trainer);
      // 4 of 8 from the demonstrations: the buffer needs only 4 episodes for an update.
      for (let i = 0; i < 30; i++) trainer.submitEpisode(episode(rng, 1));
      assert.ok(seen.length >= 25, `updates: ${seen.length}`);
      for (const rows of seen) assert.equal(rows.filter((r) => r === 7).length, 4, `a batch: ${rows}`);
      assert.deepEqual(trainer.demonstrations, { episodes: 6, share: 0.5 });
    } finally {
      trainer.dispose();
    }
  });

  test('with share 0 (or none added) training is exactly as without demonstrations', () => {
    const run = (withDemos: boolean) => {
      const rng = new Rng(6);
      const trainer = new EpisodeTrainer(tspec, { ...config, bufferSize: 50 });
      try {
        if (withDemos) trainer.addDemonstrations([episode(new Rng(8), 7), episode(new Rng(9), 7)], { share: 0 });
        const losses: number[] = [];
        trainer.onUpdate((i) => losses.push(i.loss));
        for (let i = 0; i < 20; i++) trainer.submitEpisode(episode(rng, 1));
        return losses;
      } finally {
        trainer.dispose();
      }
    };
    const a = run(false);
    assert.ok(a.length > 5);
    assert.deepEqual(run(true), a);
  });

  test('a share outside 0..1, or episodes of another spec, are refused', () => {
    const trainer = new EpisodeTrainer(tspec, config);
    try {
      assert.throws(() => trainer.addDemonstrations([], { share: 1.5 }), /share must be a number in 0\.\.1/);
      const wrong = { ...episode(new Rng(1), 1, 2), rewards: new Float32Array(5) };
      assert.throws(() => trainer.addDemonstrations([wrong]), /rewards has length 5, expected 2/);
      assert.equal(trainer.demonstrations.episodes, 0);
    } finally {
      trainer.dispose();
    }
  });
});

test('a heuristic squad records its episodes into a DemoRecorder, which forwards copies and writes a file that loads for the same squad', () => {
  const forwarded: EpisodeRecord[] = [];
  const forward = { policy: { resetEpisode() {}, qValues: (_o: Float32Array, _l: Int32Array, out: Float32Array) => out.fill(0) }, submitEpisode: (e: EpisodeRecord) => forwarded.push(e), explorationMode: () => ({ kind: 'greedy' as const }), onUpdate: () => () => {}, dispose() {} };
  let recorder: DemoRecorder | null = null;
  const squad = new Squad(
    's',
    { nActions: 3, mode: 'heuristic', recordHeuristic: true, maxSteps: 4, decisionPeriod: { frames: 1 }, trainer: (s) => (recorder = new DemoRecorder(s, { forward })) },
    () => ({ x: 0, y: 0, width: 100, height: 100 }),
  );
  const objs = [0, 1].map((i) => ({ active: true, x: 10 + i, y: 20 }));
  objs.forEach((o, i) => squad.addAgent(o, { observe: (obs) => obs.add(o.x / 100).add(o.y / 100), act: (a) => (o.x += a - 1), heuristic: () => (i === 0 ? 2 : 0) }));
  for (let i = 0; i < 20; i++) squad.update(16);
  const rec = recorder as DemoRecorder | null;
  assert.ok(rec && rec.episodes.length >= 3, `episodes: ${rec?.episodes.length}`);
  assert.equal(forwarded.length, rec.episodes.length);
  assert.notEqual(forwarded[0].obs, rec.episodes[0].obs, 'the forward trainer gets its own copy');
  // The scripted play: agent 0 always 2, agent 1 always 0.
  for (const ep of rec.episodes) for (let t = 0; t < ep.length; t++) assert.deepEqual([ep.actions[2 * t], ep.actions[2 * t + 1]], [2, 0]);
  const { episodes } = parseDemoFile(JSON.stringify(rec.toFile({ source: 'scripted' })), squad.resolveSpec());
  assert.equal(episodes.length, rec.episodes.length);
  squad.destroy();
});

test("pretraining with DQfD's large-margin loss makes the demonstrated actions win where TD alone does not", () => {
  // A script that picks the action of the largest of its first three observation values,
  // with a cost of -1 a step: TD alone pushes the demonstrated action's value down below
  // the untried ones; the margin loss keeps it on top.
  const rng = new Rng(11);
  const demos = Array.from({ length: 24 }, () => {
    const ep = episode(rng, -1, spec.episodeLimit);
    const n = spec.nAgents;
    ep.avail.fill(1);
    for (let t = 0; t < ep.length; t++) {
      for (let a = 0; a < n; a++) {
        const o = ep.obs.subarray((t * n + a) * spec.obsSize, (t * n + a + 1) * spec.obsSize);
        ep.actions[t * n + a] = o.indexOf(Math.max(o[0], o[1], o[2]));
      }
    }
    return ep;
  });
  const agreement = (weight: number, seed: number) => {
    const trainer = new EpisodeTrainer({ ...spec, obsLayout: undefined }, { preset: 'pymarl', agent: 'mlp', lr: 5e-3, batchSize: 8, bufferSize: 8, seed, demoLossWeight: weight });
    try {
      trainer.addDemonstrations(demos);
      trainer.pretrain(150);
      const A = spec.nActions;
      let agree = 0;
      let total = 0;
      for (const ep of demos) {
        const q = trainer.learner.qValues(collateEpisodes(trainer.learner.spec, [ep])); // [L + 1, 1, nAgents, nActions]
        for (let i = 0; i < ep.length * spec.nAgents; i++) {
          const row = q.subarray(i * A, (i + 1) * A);
          agree += row.indexOf(Math.max(...row)) === ep.actions[i] ? 1 : 0;
          total++;
        }
      }
      return agree / total;
    } finally {
      trainer.dispose();
    }
  };
  for (const seed of [1, 2]) {
    const withMargin = agreement(1, seed);
    const tdAlone = agreement(0, seed);
    assert.ok(withMargin >= 0.9, `seed ${seed}: with the margin loss the demonstrated action wins at ${withMargin}`);
    assert.ok(tdAlone <= 0.5, `seed ${seed}: by TD alone it wins at ${tdAlone}`);
  }
});
