import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { collateEpisodes, EpisodeBuffer, Rng, type EnvSpec, type QmixConfig } from '../../plugin/core/index.js';
import { QLearner, type UpdateStats } from '../../plugin/learn/index.js';
import { TargetQCache } from '../../plugin/learn/target-cache.js';
import { useKernelThreads } from '../../plugin/node/kernel-threads.js';
import { randomEpisodes } from '../support/episodes.js';
import '../support/tf.js';

// Host updates reuse the target network's utilities per replay episode while
// the target weights stay the same. Reused values must be exactly what the
// forward pass gives, and a target copy or soft update must drop them: the
// learner with reuse must report the same numbers, update for update, as one
// without, while most episodes are reused.
after(() => useKernelThreads(1));

const spec: EnvSpec = { nAgents: 3, obsSize: 6, stateSize: 5, nActions: 4, episodeLimit: 12 };
const small: Partial<QmixConfig> = { hiddenDim: 16, mixingEmbedDim: 8, hypernetEmbed: 16, seed: 3, targetUpdateInterval: 10 };
const STATS = ['loss', 'gradNorm', 'qTotMean', 'targetMean', 'tdErrorAbs'] as const;

interface Run {
  readonly stats: UpdateStats[];
  readonly weights: Float32Array[];
  readonly reuse: QLearner['targetReuse'];
  readonly targetUpdates: number;
}

/**
 * `updates` updates on batches sampled from a 40-episode buffer that keeps
 * taking new episodes (so slots are overwritten and new serials appear), as
 * a training run samples; `reuse` false turns reuse off.
 */
function run(config: Partial<QmixConfig>, reuse: boolean | ((l: QLearner) => void), updates = 60, batch = 8): Run {
  const episodes = randomEpisodes(spec, 40 + updates, 5);
  const buffer = new EpisodeBuffer(spec, 40);
  for (const ep of episodes.slice(0, 40)) buffer.insert(ep);
  const learner = new QLearner(spec, { ...small, batchSize: batch, ...config });
  if (reuse === false) learner.setTargetReuseBytes(0);
  else if (typeof reuse === 'function') reuse(learner);
  const rng = new Rng(6);
  try {
    assert.ok(learner.hostUpdates, 'the learner takes the host step');
    const stats: UpdateStats[] = [];
    for (let i = 0; i < updates; i++) {
      stats.push(learner.update(buffer.sample(batch, rng), i + 1));
      // A new episode every other update: the oldest slot gets a new serial.
      if (i % 2 === 1) buffer.insert(episodes[40 + i]);
    }
    return { stats, weights: learner.online.agent.variables.map((v) => (v.dataSync() as Float32Array).slice()), reuse: learner.targetReuse, targetUpdates: stats.filter((s) => s.targetUpdated).length };
  } finally {
    learner.dispose();
  }
}

function assertSame(a: Run, b: Run, what: string): void {
  a.stats.forEach((s, i) => {
    for (const k of STATS) assert.equal(s[k], b.stats[i][k], `${what}: update ${i + 1}'s ${k}`);
  });
  a.weights.forEach((w, i) => assert.deepEqual(w, b.weights[i], `${what}: online agent weight ${i} after the run`));
}

describe('reused target utilities', () => {
  for (const agent of ['gru', 'mlp'] as const) {
    test(`${agent.toUpperCase()}, one thread: every statistic and the final weights equal a learner's that computes them every time, across target copies`, async () => {
      await useKernelThreads(1);
      const on = run({ agent }, true);
      const off = run({ agent }, false);
      assert.ok(on.targetUpdates >= 5, `the target was copied ${on.targetUpdates} times`);
      assert.equal(off.reuse.hits, 0, 'reuse off reuses nothing');
      // 60 batches of 8 from 40 episodes, the target copied every 10 updates: most episodes are seen again in a period.
      const share = on.reuse.hits / (on.reuse.hits + on.reuse.misses);
      assert.ok(share > 0.5, `reused ${on.reuse.hits} of ${on.reuse.hits + on.reuse.misses} episodes`);
      assertSame(on, off, 'reuse on against off');
      assert.notEqual(on.stats[0].loss, on.stats[59].loss, 'the losses move');
    });
  }

  test('the comparison catches stale values: a cache that is never dropped at a target copy gives other losses', async () => {
    await useKernelThreads(1);
    const stale = run({}, (l) => {
      // The same learner, but the cache keeps its entries whatever the target weights.
      const cache = (l as unknown as { targetCache: TargetQCache }).targetCache;
      cache.sync = () => {};
    });
    const off = run({}, false);
    const firstCopy = off.stats.findIndex((s) => s.targetUpdated);
    // Up to the first copy they agree; after it the stale entries show.
    for (let i = 0; i <= firstCopy; i++) assert.equal(stale.stats[i].loss, off.stats[i].loss, `update ${i + 1}`);
    assert.ok(stale.stats.some((s, i) => s.loss !== off.stats[i].loss), 'stale target utilities change the losses');
  });

  test('soft target updates change the target every update: nothing is reused, and the results are the same', async () => {
    await useKernelThreads(1);
    const on = run({ targetUpdate: 'soft', tau: 0.05 }, true, 20);
    const off = run({ targetUpdate: 'soft', tau: 0.05 }, false, 20);
    // Only the first batch's repeats within one update could be reused: sampling is without replacement, so none.
    assert.equal(on.reuse.hits, 0);
    assertSame(on, off, 'soft updates');
  });

  test('two threads: the split follows the work, and the results equal one thread without reuse within float32 rounding', async () => {
    await useKernelThreads(1);
    const one = run({}, false, 30, 32);
    assert.equal(await useKernelThreads(2), 2);
    const two = run({}, true, 30, 32);
    assert.ok(two.reuse.hits > 0.5 * (two.reuse.hits + two.reuse.misses), `reused ${two.reuse.hits} of ${two.reuse.hits + two.reuse.misses}`);
    const worst = Math.max(...one.stats.flatMap((s, i) => STATS.map((k) => Math.abs(two.stats[i][k] - s[k]) / Math.max(1, Math.abs(s[k])))));
    assert.ok(worst <= 1e-5, `statistics differ by ${worst}`);
    await useKernelThreads(1);
  });
});

describe('replay serials', () => {
  const eps = randomEpisodes(spec, 6, 2);

  test('a sampled episode carries its slot\'s serial, the same each time it is sampled, and a new one once overwritten', () => {
    const buffer = new EpisodeBuffer(spec, 3);
    for (const ep of eps.slice(0, 3)) buffer.insert(ep);
    const a = collateEpisodes(spec, [buffer.episode(0), buffer.episode(1)]).episodeIds!;
    const b = collateEpisodes(spec, [buffer.episode(1), buffer.episode(0)]).episodeIds!;
    assert.deepEqual([...b], [a[1], a[0]]);
    assert.notEqual(a[0], a[1]);
    buffer.insert(eps[3]); // overwrites slot 0
    const c = collateEpisodes(spec, [buffer.episode(0), buffer.episode(1)]).episodeIds!;
    assert.notEqual(c[0], a[0], 'slot 0 holds another episode now');
    assert.equal(c[1], a[1], 'slot 1 is unchanged');
  });

  test('a view kept past an overwrite of its slot, and records not from a buffer, claim no serial', () => {
    const buffer = new EpisodeBuffer(spec, 2);
    buffer.insert(eps[0]);
    buffer.insert(eps[1]);
    const kept = buffer.episode(0);
    buffer.insert(eps[2]); // slot 0: the kept view's data is now eps[2]'s
    const ids = collateEpisodes(spec, [kept, buffer.episode(1)]).episodeIds!;
    assert.ok(Number.isNaN(ids[0]), 'the stale view has no serial');
    assert.ok(!Number.isNaN(ids[1]));
    assert.equal(collateEpisodes(spec, [eps[0], eps[1]]).episodeIds, undefined, 'plain records: no serials at all');
  });

  test('restoring a buffer\'s state gives every slot a new serial', () => {
    const buffer = new EpisodeBuffer(spec, 2);
    buffer.insert(eps[0]);
    buffer.insert(eps[1]);
    const before = collateEpisodes(spec, [buffer.episode(0), buffer.episode(1)]).episodeIds!;
    const copy = new EpisodeBuffer(spec, 2);
    copy.setState(buffer.getState());
    buffer.setState(buffer.getState());
    const after = collateEpisodes(spec, [buffer.episode(0), buffer.episode(1)]).episodeIds!;
    const other = collateEpisodes(spec, [copy.episode(0), copy.episode(1)]).episodeIds!;
    for (const id of [...after, ...other]) assert.ok(!before.includes(id), `serial ${id} was in use before the restore`);
    assert.notEqual(after[0], other[0], 'two buffers never share a serial');
  });
});

describe('TargetQCache', () => {
  test('drops everything when the weights are other objects, keeps entries for the same ones', () => {
    const w = [{}, {}];
    const cache = new TargetQCache();
    cache.sync(w);
    cache.set(1, new Float32Array(4));
    cache.sync([w[0], w[1]]);
    assert.ok(cache.get(1), 'same weight objects: kept');
    cache.sync([w[0], {}]);
    assert.equal(cache.get(1), undefined, 'one weight replaced: dropped');
    assert.equal(cache.size, 0);
    assert.deepEqual(cache.counts, { hits: 1, misses: 1 });
  });

  test('holds at most maxBytes, dropping the oldest entries first; NaN ids and oversized entries are not kept', () => {
    const cache = new TargetQCache(64);
    for (let id = 1; id <= 5; id++) cache.set(id, new Float32Array(4)); // 16 bytes each
    assert.equal(cache.bytes, 64);
    assert.deepEqual([1, 2, 3, 4, 5].map((id) => cache.get(id) !== undefined), [false, true, true, true, true]);
    cache.set(NaN, new Float32Array(1));
    cache.set(9, new Float32Array(17));
    assert.equal(cache.size, 4);
    assert.throws(() => new TargetQCache(-1), /target cache bytes must be a finite number >= 0, got -1/);
    assert.equal(new TargetQCache(0).get(1), undefined, 'size 0: off');
  });
});

test('a batch whose episodeIds do not match its episodes is refused, naming the field', () => {
  const buffer = new EpisodeBuffer(spec, 10);
  for (const ep of randomEpisodes(spec, 10, 4)) buffer.insert(ep);
  const learner = new QLearner(spec, { ...small, batchSize: 4 });
  try {
    const batch = buffer.sample(4, new Rng(1));
    assert.throws(() => learner.update({ ...batch, episodeIds: new Float64Array(3) }), /batch episodeIds must be a Float64Array of 4 serials \(one per episode\), got Float64Array of 3/);
    assert.ok(Number.isFinite(learner.update(batch).loss), 'and the learner still updates');
  } finally {
    learner.dispose();
  }
});
