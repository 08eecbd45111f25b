// A writer killed (SIGKILL) in the middle of saving never leaves a broken
// checkpoint, and two writers of one directory cannot break it either.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CheckpointError, packCheckpoint, unpackCheckpoint } from '../../plugin/core/index.js';
import { loadCheckpointDir, saveCheckpointDir } from '../../plugin/node/index.js';
import { LOCK_FILE } from '../../plugin/node/dir-lock.js';

async function killMidWrite(dir: string, delayMs: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/checkpoint-writer.ts', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let saved = 0;
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const m = /saved (\d+)\s*$/.exec(chunk.toString());
      if (m) saved = Number(m[1]);
      // Once one checkpoint exists, kill the writer somewhere inside a later save.
      if (saved >= 1 && !child.killed) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
  return saved;
}

test('killing the writer mid-save leaves the previous (or the new) checkpoint whole, never a broken one', async () => {
  for (const delay of [5, 40, 90]) {
    const dir = await mkdtemp(join(tmpdir(), 'pq-crash-'));
    const saved = await killMidWrite(dir, delay);
    assert.ok(saved >= 1);
    const cp = unpackCheckpoint(await loadCheckpointDir(dir)); // throws on any damage
    const marker = cp.manifest.learner.updates;
    assert.ok(marker >= saved, `loaded checkpoint ${marker}, last reported ${saved}`);
    const blob = cp.blobs.get('marker') as Float32Array;
    assert.equal(blob.length, 6_000_000);
    assert.equal(blob[0], marker);
    assert.equal(blob[blob.length - 1], marker);
  }
});

/** A writer child saving small checkpoints in a loop; counts its saves and refusals. */
function writer(dir: string, offset: number): { child: ChildProcess; saved: () => number; refused: () => string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/checkpoint-writer.ts', dir, '200000', String(offset)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let saved = 0;
  const refused: string[] = [];
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) {
      if (l.startsWith('saved ')) saved++;
      else if (l.startsWith('refused ')) refused.push(l);
    }
  });
  return { child, saved: () => saved, refused: () => refused };
}

/** Loads the checkpoint in `dir` and checks its marker blob is whole and all one value. */
async function intact(dir: string): Promise<number> {
  const cp = unpackCheckpoint(await loadCheckpointDir(dir));
  const marker = cp.manifest.learner.updates;
  const blob = cp.blobs.get('marker') as Float32Array;
  assert.equal(blob.length, 200_000);
  assert.equal(blob[0], marker);
  assert.equal(blob[blob.length - 1], marker);
  return marker;
}

test('two processes saving into one checkpoint directory: the second is refused by name while the first writes, and the checkpoint there is always whole', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pq-two-writers-'));
  const a = writer(dir, 0);
  const b = writer(dir, 1_000_000);
  try {
    // Wait on progress, not on time: both must have saved and both must have been refused.
    let checks = 0;
    while (!(a.saved() >= 5 && b.saved() >= 5 && a.refused().length + b.refused().length >= 5) || checks < 20) {
      await new Promise((r) => setTimeout(r, 25));
      if (a.saved() + b.saved() > 0) {
        await intact(dir); // throws on any damage
        checks++;
      }
      if (a.child.exitCode !== null || b.child.exitCode !== null) throw new Error('a writer exited');
    }
    for (const line of [...a.refused(), ...b.refused()]) assert.match(line, /is locked by another writer \(pid \d+ on .*, saving a checkpoint since .*\): two processes must not write one checkpoint directory/);
  } finally {
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
  }
  await Promise.all([a, b].map((w) => (w.child.exitCode === null && w.child.signalCode === null ? once(w.child, 'exit') : null)));
  const last = await intact(dir);
  // Killed writers leave a lock and maybe temp files: the next save takes the dead writer's lock over and clears them.
  const cp = await loadCheckpointDir(dir);
  await saveCheckpointDir(dir, cp);
  assert.equal(await intact(dir), last);
  const names = (await readdir(dir)).sort();
  assert.equal(names.length, 2, names.join(', '));
  assert.equal(names[0], 'checkpoint.json');
  assert.match(names[1], /^data-[\w-]+\.bin$/);
});

test('saves in one process queue behind each other; a lock of a dead process is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pq-queue-'));
  const base = await (async () => {
    const w = writer(dir, 0);
    while (w.saved() < 1) await new Promise((r) => setTimeout(r, 25));
    w.child.kill('SIGKILL');
    await once(w.child, 'exit');
    return unpackCheckpoint(await loadCheckpointDir(dir));
  })();
  const copies = Array.from({ length: 8 }, (_, i) => {
    const blobs = new Map([['marker', new Float32Array(200_000).fill(500 + i)]]);
    const { blobs: _b, dataChecksum: _d, ...rest } = base.manifest;
    return packCheckpoint({ ...rest, learner: { ...rest.learner, updates: 500 + i } }, blobs);
  });
  await Promise.all(copies.map((c) => saveCheckpointDir(dir, c)));
  assert.equal(await intact(dir), 507, 'the last save queued is the one in place');
  assert.equal((await readdir(dir)).filter((n) => n.startsWith('data-')).length, 1);
  // A live process's lock (this test's parent, say) is not taken over.
  await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), token: 'x', since: Date.now(), what: 'testing' }));
  await assert.rejects(saveCheckpointDir(dir, copies[0]), (e: Error) => e instanceof CheckpointError && /locked by another writer \(pid \d+/.test(e.message));
  assert.equal(await intact(dir), 507);
  // A writer killed between creating its lock and filling it leaves an empty file
  // (this is how the CI run of this test once failed): it is waited on, then taken over.
  await writeFile(join(dir, LOCK_FILE), '');
  await saveCheckpointDir(dir, copies[2]);
  assert.equal(await intact(dir), 502, 'the save went through after the empty lock turned stale');
  await writeFile(join(dir, LOCK_FILE), '{"pid": 1');
  await saveCheckpointDir(dir, copies[3]);
  assert.equal(await intact(dir), 503, 'a half-written lock is taken over too');
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith(LOCK_FILE)), [], 'no lock or stale copy is left behind');
});
