// A writer killed (SIGKILL) in the middle of saving never leaves a broken checkpoint.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { unpackCheckpoint } from '../../plugin/core/index.js';
import { loadCheckpointDir } from '../../plugin/node/index.js';

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
