// A CLI training run killed at seeded random moments (SIGKILL and SIGTERM in
// turn, often in the middle of a save: it saves every 5 updates) always
// leaves a checkpoint and a policy that load, and the next run resumes from
// them (taking over the dead run's lock). Rng stream 'cli-crash', seed 1.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Rng, unpackCheckpoint } from '../../plugin/core/index.js';
import { loadCheckpointDir } from '../../plugin/node/index.js';
import { loadPolicy } from '../../plugin/runtime/index.js';

test('CLI killed at random moments (SIGKILL, SIGTERM): the last checkpoint and policy are whole, and each next run resumes from them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pq-cli-crash-'));
  const rng = new Rng(1, 'cli-crash');
  const checkpoint = join(dir, 'checkpoint');
  let lastSteps = 0;
  for (let round = 0; round < 6; round++) {
    const resume = existsSync(join(checkpoint, 'checkpoint.json'));
    const args = ['bin/phaser-qmix.js', 'train', '--env', 'meeting-gridworld', '--steps', '100000000', '--out', dir, '--log-every', '100', '--test-episodes', '1', '--save-every', '5', ...(resume ? ['--resume', checkpoint] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const signal = round % 2 === 0 ? 'SIGKILL' : 'SIGTERM';
    // Training has begun once the first progress line is out; then a random moment.
    await new Promise<void>((ok, fail) => {
      child.stdout.on('data', (d: Buffer) => /^steps \d+/m.test(d.toString()) && ok());
      child.on('exit', (code) => fail(new Error(`round ${round}: exited early with ${code}: ${err}`)));
    });
    // (The first round waits for its first periodic save, so there is always something to check.)
    while (!existsSync(join(checkpoint, 'checkpoint.json')) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, rng.int(1500)));
    child.kill(signal);
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', (c) => r(c))));
    if (signal === 'SIGTERM') assert.equal(code, 143, `round ${round}: ${err}`);
    // Whatever the moment: what is on disk loads.
    const cp = unpackCheckpoint(await loadCheckpointDir(checkpoint));
    assert.ok(cp.manifest.trainer.envSteps >= lastSteps, `round ${round}: the checkpoint went back from ${lastSteps} to ${cp.manifest.trainer.envSteps} env steps`);
    lastSteps = cp.manifest.trainer.envSteps;
    loadPolicy(readFileSync(join(dir, 'policy.json'), 'utf8'));
  }
  // A last run resumes and finishes normally.
  const done = spawnSync(process.execPath, ['bin/phaser-qmix.js', 'train', '--env', 'meeting-gridworld', '--steps', String(lastSteps + 200), '--out', dir, '--resume', checkpoint, '--test-episodes', '1'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(done.status, 0, done.stderr);
  assert.equal(unpackCheckpoint(await loadCheckpointDir(checkpoint)).manifest.trainer.envSteps >= lastSteps + 200, true);
  // Killed saves leave nothing behind once a run has saved again: no temp files, one data file, no lock.
  const left = [...readdirSync(dir), ...readdirSync(checkpoint).map((n) => `checkpoint/${n}`)].filter((n) => /\.tmp$|\.lock|stale/.test(n));
  assert.deepEqual(left, []);
  assert.equal(readdirSync(checkpoint).filter((n) => n.startsWith('data-')).length, 1);
});
