// `train --demos FILE...`: demonstration files checked against the env before
// anything is written, then trained on at their share of every batch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EpisodeBuilder, makeDemoFile, type MultiAgentEnv } from '../../plugin/core/index.js';
import { makeEnv } from '../../plugin/envs/index.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/phaser-qmix.js', ...args], { encoding: 'utf8', timeout: 120000 });

/** `count` episodes of an env played by a fixed script (each agent its first available action). */
function scripted(env: MultiAgentEnv, count: number) {
  const { nAgents: n, nActions: A } = env.spec;
  return Array.from({ length: count }, (_, i) => {
    const b = new EpisodeBuilder(env.spec);
    let o = env.reset(i);
    b.begin(o);
    for (;;) {
      const actions = Array.from({ length: n }, (_, a) => Math.max(0, o.avail.subarray(a * A, (a + 1) * A).indexOf(1)));
      const s = env.step(actions);
      b.push(actions, s);
      if (s.terminated || s.truncated || b.length >= env.spec.episodeLimit) break;
      o = s;
    }
    return b.finish();
  });
}

test('train --demos: a file for the env trains; one for another env, a damaged one or a bad share is refused by name before anything is written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pq-demos-'));
  const good = join(dir, 'two-step.demos.json');
  const env = makeEnv('two-step');
  await writeFile(good, JSON.stringify(makeDemoFile(env.spec, scripted(env, 10), { source: 'scripted' })));
  const r = cli('train', '--env', 'two-step', '--steps', '400', '--seed', '1', '--demos', good, good, '--demo-share', '0.5', '--out', join(dir, 'run'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /demonstrations: 20 episodes from 2 file\(s\), 50% of every batch/);
  const other = join(dir, 'meeting.demos.json');
  const meeting = makeEnv('meeting-gridworld:5x5-2a');
  await writeFile(other, JSON.stringify(makeDemoFile(meeting.spec, scripted(meeting, 2))));
  const wrong = cli('train', '--env', 'two-step', '--steps', '400', '--demos', other, '--out', join(dir, 'run2'));
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, new RegExp(`--demos ${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: demonstration file: recorded with (obsSize|stateSize|nActions|episodeLimit) \\d+, but it is being loaded for`));
  const damaged = join(dir, 'damaged.json');
  await writeFile(damaged, JSON.stringify({ ...JSON.parse(JSON.stringify(makeDemoFile(env.spec, scripted(env, 1)))), source: 'edited' }));
  const d = cli('train', '--env', 'two-step', '--steps', '400', '--demos', damaged, '--out', join(dir, 'run3'));
  assert.equal(d.status, 2);
  assert.match(d.stderr, /checksum does not match/);
  const share = cli('train', '--env', 'two-step', '--steps', '400', '--demos', good, '--demo-share', '2', '--out', join(dir, 'run4'));
  assert.equal(share.status, 2);
  assert.match(share.stderr, /--demo-share must be a number in 0\.\.1/);
  assert.match(cli('train', '--env', 'two-step', '--demos', '--steps', '5').stderr, /--demos needs at least one value/);
});
