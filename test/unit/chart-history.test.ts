// The editor's chart history kept with each checkpoint: thinned evenly with
// the ends kept, cut at the checkpoint's env steps on the way back, and
// anything malformed or refused by the storage ignored (never thrown).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChartHistoryStore, ChartKeeper, STORED_POINTS, thin, upTo, type ChartHistory } from '../../plugin/editor/chart-history.js';

/** A Storage stand-in; `quota` bytes at most (a full one throws as browsers do). */
function memoryStorage(quota = Infinity): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => {
      if (v.length > quota) throw new Error('QuotaExceededError');
      map.set(k, v);
    },
    removeItem: (k) => void map.delete(k),
  };
}

const series = (n: number) => ({ xs: Array.from({ length: n }, (_, i) => i * 10), ys: [Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i / n))] });

test('chart history: thinning keeps the ends and at most STORED_POINTS; upTo cuts at a step count', () => {
  const s = series(4000);
  const t = thin(s);
  assert.equal(t.xs.length, STORED_POINTS);
  assert.equal(t.xs[0], 0);
  assert.equal(t.xs[t.xs.length - 1], 39990);
  assert.ok(t.xs.every((x, i) => i === 0 || x > t.xs[i - 1]), 'in order, no repeats');
  assert.deepEqual(thin(series(5)), series(5), 'short series are kept whole');
  assert.deepEqual(upTo(series(10), 45).xs, [0, 10, 20, 30, 40]);
  assert.equal(upTo(series(10), 45).ys[0].length, 5);
});

test('chart history: kept per checkpoint name, cut at the restored env steps; malformed, other versions and a full storage are ignored', () => {
  const storage = memoryStorage();
  const h = new ChartHistoryStore('pq', storage);
  h.save('auto', { epsilon: series(50), loss: series(20) });
  assert.ok(storage.map.has('pq:charts:auto'));
  const back = h.load('auto', 95)!;
  assert.deepEqual(back.epsilon.xs, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  assert.deepEqual(back.loss.ys[0], series(20).ys[0].slice(0, 10));
  assert.equal(h.load('other', 1e9), null, 'nothing kept under another name');
  storage.map.set('pq:charts:bad', '{"version":1,"charts":{"epsilon":{"xs":[0,1],"ys":[[1]]},"loss":{"xs":[0],"ys":[[0.5]]}}}');
  assert.deepEqual(Object.keys(h.load('bad', 10)!), ['loss'], 'a series of the wrong length is dropped, the rest kept');
  storage.map.set('pq:charts:old', '{"version":0,"charts":{}}');
  assert.equal(h.load('old', 10), null);
  storage.map.set('pq:charts:junk', '{not json');
  assert.equal(h.load('junk', 10), null);
  const full = new ChartHistoryStore('pq', memoryStorage(100));
  assert.doesNotThrow(() => full.save('auto', { epsilon: series(50) }));
  assert.equal(full.load('auto', 1e9), null);
  h.remove('auto');
  assert.equal(h.load('auto', 1e9), null);
  assert.equal(new ChartHistoryStore(null, storage).load('bad', 10), null, 'a null prefix keeps nothing');
});

test('chart keeper: a resumed run is kept only once its resume is confirmed; saves at most every everyMs; a load shows the checkpoint\'s history or clears', () => {
  const storage = memoryStorage();
  const store = new ChartHistoryStore('pq', storage);
  let shown: ChartHistory = { epsilon: series(3) };
  let cleared = 0;
  const charts = { snapshot: () => shown, restore: (h: ChartHistory) => void (shown = h), clear: () => void (cleared++, (shown = {})) };
  const keeper = new ChartKeeper(store, charts, 'auto', 1000);
  keeper.begin(false); // a resume, not confirmed yet
  keeper.tick(0);
  assert.equal(store.load('auto', 1e9), null, 'a refused resume would keep the other run\'s history');
  store.save('auto', { epsilon: series(10) });
  keeper.continueFrom('auto', 35);
  assert.deepEqual(shown.epsilon.xs, [0, 10, 20, 30], 'the autosave\'s history up to its steps');
  shown = { epsilon: series(5) };
  keeper.tick(5000);
  assert.equal(store.load('auto', 1e9)!.epsilon.xs.length, 5);
  shown = { epsilon: series(6) };
  keeper.tick(5500);
  assert.equal(store.load('auto', 1e9)!.epsilon.xs.length, 5, 'within everyMs: not written again');
  keeper.tick(6001);
  assert.equal(store.load('auto', 1e9)!.epsilon.xs.length, 6);
  keeper.saved('named');
  assert.equal(store.load('named', 1e9)!.epsilon.xs.length, 6);
  keeper.continueFrom('never-kept', 100);
  assert.equal(cleared, 1, 'no history: the charts start empty');
});
