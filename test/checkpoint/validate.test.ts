// Restoring checks what a checkpoint holds, not only its checksum: crafted
// or damaged replay contents, optimiser moments and counters are refused
// with a CheckpointError naming the field, and the trainer is left as it
// was. The checksum is recomputed after each change, so the structural
// checks are what is tested. Seeds: Rng streams 'ckpt-fuzz' 1..; trainer seed 4.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CheckpointError, packCheckpoint, Rng, unpackCheckpoint, type BlobArray, type CheckpointManifest, type PackedCheckpoint, type QmixConfig } from '../../plugin/core/index.js';
import { TwoStepEnv } from '../../plugin/envs/index.js';
import { hashBytes } from '../../plugin/core/checkpoint-format.js';
import { DivergenceError, Trainer } from '../../plugin/learn/index.js';
import '../support/tf.js';

const config: Partial<QmixConfig> = { preset: 'pymarl', seed: 4, hiddenDim: 8, mixingEmbedDim: 4, hypernetEmbed: 8, batchSize: 4, bufferSize: 12, epsilonAnnealTime: 100 };

function trained(): { trainer: Trainer; packed: PackedCheckpoint } {
  const trainer = new Trainer(new TwoStepEnv(), config);
  for (let i = 0; i < 20; i++) trainer.trainEpisode();
  return { trainer, packed: trainer.checkpoint({ includeBuffer: true }) };
}

/** Repacks a checkpoint after `edit` changed its manifest or blobs (copies; the checksum is recomputed). */
function edited(packed: PackedCheckpoint, edit: (m: Record<string, unknown>, blobs: Map<string, BlobArray>) => void): PackedCheckpoint {
  const cp = unpackCheckpoint(packed);
  const blobs = new Map<string, BlobArray>([...cp.blobs].map(([k, v]) => [k, v.slice()]));
  const m = JSON.parse(JSON.stringify(cp.manifest)) as Record<string, unknown>;
  edit(m, blobs);
  delete m.blobs;
  delete m.dataChecksum;
  return packCheckpoint(m as unknown as Omit<CheckpointManifest, 'blobs' | 'dataChecksum'>, blobs);
}

/** The trainer's state as plain data, to prove a refused restore wrote nothing. */
function snapshot(trainer: Trainer): string {
  const s = trainer.learner.getState();
  const b = trainer.buffer.getState();
  return JSON.stringify({
    loop: trainer.getLoopState(),
    updates: s.updates,
    w: Object.values(s.online.agent).map((a) => Array.from(a.slice(0, 4))),
    slots: s.optimizer.slots.map((a) => a[0]),
    buffer: [b.count, b.next, Array.from(b.arrays.lengths), b.arrays.rewards[0]],
  });
}

describe('checkpoint restore validates contents', () => {
  test('replay lengths, NaN observations and rewards, actions out of range or unavailable, bad flags, negative RMSProp moments, bad counters: a CheckpointError naming the field, the trainer unchanged', () => {
    const { trainer, packed } = trained();
    const target = new Trainer(new TwoStepEnv(), config);
    for (let i = 0; i < 5; i++) target.trainEpisode();
    const cases: [string, (m: Record<string, unknown>, b: Map<string, BlobArray>) => void, RegExp][] = [
      ['lengths 1e6', (_, b) => (b.get('replay/lengths')![0] = 1e6), /replay lengths\[0\] is 1000000: expected 1\.\.2/],
      ['lengths 0 in a stored slot', (_, b) => (b.get('replay/lengths')![3] = 0), /replay lengths\[3\] is 0/],
      ['lengths negative', (_, b) => (b.get('replay/lengths')![1] = -1), /replay lengths\[1\] is -1/],
      ['NaN observation', (_, b) => (b.get('replay/obs')![5] = NaN), /replay obs\[5\] is NaN/],
      ['infinite reward', (_, b) => (b.get('replay/rewards')![2] = Infinity), /replay rewards\[2\] is Infinity/],
      ['NaN state', (_, b) => (b.get('replay/state')![0] = NaN), /replay state\[0\] is NaN/],
      ['action out of range', (_, b) => (b.get('replay/actions')![0] = 7), /replay actions\[0\] \(slot 0, step 0, agent 0\) is 7: expected 0\.\.1/],
      ['action negative', (_, b) => (b.get('replay/actions')![1] = -3), /replay actions\[1\] .* is -3/],
      ['action not available', (_, b) => {
        const u = b.get('replay/actions')![0];
        b.get('replay/avail')![u] = 0;
      }, /replay actions\[0\] .* an action that was not available/],
      ['avail 2', (_, b) => (b.get('replay/avail')![0] = 2), /replay avail\[0\] is 2/],
      ['terminal 9', (_, b) => (b.get('replay/terminal')![0] = 9), /replay terminal\[0\] is 9/],
      ['negative RMSProp moment', (_, b) => (b.get('optimizer/0')![0] = -1), /optimizer slot 0 \(second moment of variable 0\)\[0\] is -1/],
      ['NaN RMSProp moment', (_, b) => (b.get('optimizer/2')![1] = NaN), /optimizer slot 2 .*\[1\] is NaN/],
      ['NaN weight', (_, b) => (b.get([...b.keys()].find((k) => k.startsWith('target.mixer/'))!)![0] = NaN), /weights .*\[0\] is NaN/],
      ['negative reward variance', (m) => ((m.learner as { rewardStats: { variance: number } }).rewardStats.variance = -1), /rewardStats are invalid/],
      ['huge optimizer slot count', (m) => ((m.learner as { optimizer: { slots: number } }).optimizer.slots = 1e9), /learner.optimizer.slots is 1000000000/],
      ['fractional env steps', (m) => ((m.trainer as { envSteps: number }).envSteps = 1.5), /trainer counters are invalid/],
      ['buffer count past capacity', (m) => ((m.buffer as { count: number }).count = 13), /replay state positions are invalid/],
    ];
    for (const [name, edit, want] of cases) {
      const before = snapshot(target);
      assert.throws(() => target.restore(edited(packed, edit)), (e: Error) => e instanceof CheckpointError && want.test(e.message), name);
      assert.equal(snapshot(target), before, `${name}: a refused restore changed the trainer`);
    }
    // The untouched checkpoint still restores, and training goes on.
    target.restore(edited(packed, () => {}));
    assert.equal(target.learner.updates, trainer.learner.updates);
    target.trainEpisode();
    trainer.dispose();
    target.dispose();
  });

  test('fuzz: 300 seeded mutations of a checkpoint (numbers, types, keys, blob table, blob values) give a CheckpointError or a restore that trains on, never another exception', () => {
    const { trainer, packed } = trained();
    const rng = new Rng(1, 'ckpt-fuzz');
    const base = unpackCheckpoint(packed);
    const WILD: unknown[] = [0, -1, 1.5, 1e6, 1e9, 2 ** 31, -(2 ** 31), null, 'x', '__proto__', 'constructor', true, [], {}, [1, 2], { length: 1e9 }];
    const VALUES = [NaN, Infinity, -Infinity, -1, 1e6, 3e38, 255, 2 ** 31 - 1, -(2 ** 31)];
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
    /** Every [holder, key] in the manifest, depth first. */
    const leaves = (o: unknown, out: [Record<string, unknown>, string][] = []): [Record<string, unknown>, string][] => {
      if (o !== null && typeof o === 'object') for (const k of Object.keys(o)) {
        out.push([o as Record<string, unknown>, k]);
        leaves((o as Record<string, unknown>)[k], out);
      }
      return out;
    };
    const kinds = { typed: 0, restored: 0, diverged: 0 };
    for (let i = 0; i < 300; i++) {
      const m = JSON.parse(packed.manifest) as Record<string, unknown>;
      let data = packed.data.slice();
      const kind = rng.int(4);
      if (kind === 0) {
        // A manifest value replaced by something wild (the blob table included).
        const [holder, key] = pick(leaves(m).filter(([, k]) => k !== 'dataChecksum'));
        holder[key] = pick(WILD);
      } else if (kind === 1) {
        const [holder, key] = pick(leaves(m).filter(([, k]) => k !== 'dataChecksum'));
        delete holder[key];
      } else {
        // A blob value overwritten in place (its dtype's own encoding).
        const entry = pick(base.manifest.blobs);
        const view = base.blobs.get(entry.name)!;
        if (view.length === 0) continue;
        const idx = rng.int(view.length);
        const copy = new (view.constructor as new (b: ArrayBuffer, o: number, n: number) => BlobArray)(data.buffer, entry.offset, entry.length);
        copy[idx] = pick(VALUES);
      }
      // Recompute the checksum so the structural checks are what is tested.
      m.dataChecksum = `cyrb53:${hashBytes(data)}`;
      const crafted: PackedCheckpoint = { manifest: JSON.stringify(m), data };
      const fresh = new Trainer(new TwoStepEnv(), config);
      try {
        fresh.restore(crafted);
        kinds.restored++;
        // Finite but absurd values (a weight of 1e6) may restore and then diverge: the guard's typed error is correct too.
        for (let e = 0; e < 3; e++) fresh.trainEpisode();
      } catch (e) {
        if (e instanceof DivergenceError) {
          kinds.diverged++;
          continue;
        }
        if (!(e instanceof CheckpointError)) throw new Error(`mutation ${i} (kind ${kind}) threw ${(e as Error).name}: ${(e as Error).message}`);
        kinds.typed++;
      } finally {
        fresh.dispose();
        data = new Uint8Array(0);
      }
    }
    console.log(`checkpoint fuzz: ${JSON.stringify(kinds)}`);
    assert.ok(kinds.typed > 100, `most mutations are caught: ${JSON.stringify(kinds)}`);
    trainer.dispose();
  });

  test('a blob table entry with an offset that is negative, fractional or not a number is a CheckpointError naming the blob', () => {
    const { trainer, packed } = trained();
    for (const offset of [-(2 ** 31), -4, 2.5, '8', null]) {
      const m = JSON.parse(packed.manifest) as { blobs: { name: string; offset: unknown }[]; dataChecksum: string };
      m.blobs[1].offset = offset;
      m.dataChecksum = `cyrb53:${hashBytes(packed.data)}`;
      const crafted: PackedCheckpoint = { manifest: JSON.stringify(m), data: packed.data };
      assert.throws(() => unpackCheckpoint(crafted), (e: Error) => e instanceof CheckpointError && e.message.includes(`blob ${JSON.stringify(m.blobs[1].name)}`), String(offset));
    }
    trainer.dispose();
  });
});
