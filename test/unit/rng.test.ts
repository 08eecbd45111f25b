import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../../plugin/core/index.js';

describe('Rng', () => {
  test('the same seed gives the same stream and another seed or stream a different one', () => {
    const draw = (r: Rng) => Array.from({ length: 5 }, () => r.nextUint32());
    assert.deepEqual(draw(new Rng(7)), draw(new Rng(7)));
    assert.notDeepEqual(draw(new Rng(7)), draw(new Rng(8)));
    assert.notDeepEqual(draw(new Rng(7, 'env')), draw(new Rng(7, 'explore')));
  });

  test('a restored state continues the exact stream', () => {
    const r = new Rng(3);
    for (let i = 0; i < 10; i++) r.next();
    const copy = Rng.fromState(r.getState());
    for (let i = 0; i < 100; i++) assert.equal(copy.next(), r.next());
    assert.throws(() => r.setState([1, 2, 3]), /four unsigned 32-bit integers/);
  });

  test('uniform floats lie in [0, 1) with a mean near one half', () => {
    const r = new Rng(11);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const u = r.next();
      assert.ok(u >= 0 && u < 1);
      sum += u;
    }
    assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
  });

  test('sampling without replacement gives distinct indices covering the range over many draws', () => {
    const r = new Rng(5);
    const out = new Int32Array(4);
    const seen = new Set<number>();
    for (let k = 0; k < 200; k++) {
      r.sampleWithoutReplacement(10, 4, out);
      assert.equal(new Set(out).size, 4);
      for (const v of out) {
        assert.ok(v >= 0 && v < 10);
        seen.add(v);
      }
    }
    assert.equal(seen.size, 10);
    assert.throws(() => r.sampleWithoutReplacement(3, 4, out), /cannot sample 4 distinct items from 3/);
  });
});
