// The policy the demo ships: it fits the game as it is now, and it still
// wins: a change to the rules, observations or runtime that breaks the
// shipped squad fails here. Seeds 100000+ (the README and bench use 0..499).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadPolicy } from '../../plugin/runtime/greedy-policy.js';
import { CarrotHeistEnv } from '../../demo-game/rules/env.js';
import { policyPlayer, scriptedPlayer, winRate } from '../../demo-game/rules/evaluate.js';

const SEEDS = 100_000;

test('the shipped squad fits the game and catches the training rabbit far more often than the scripted squad', () => {
  const env = new CarrotHeistEnv();
  const policy = loadPolicy(readFileSync('assets/carrot-heist/policy.json', 'utf8'), {
    nAgents: env.spec.nAgents,
    obsSize: env.spec.obsSize,
    nActions: env.spec.nActions,
    obsLayout: env.spec.obsLayout,
  });
  assert.equal(policy.file.training.algorithm, 'qmix');
  const shipped = winRate(policyPlayer(policy), { rabbit: 'flee' }, 200, SEEDS);
  const scripted = winRate(scriptedPlayer(), { rabbit: 'flee' }, 200, SEEDS);
  assert.ok(shipped.winRate >= 0.85, `shipped squad won ${shipped.winRate}`);
  assert.ok(shipped.winRate >= scripted.winRate + 0.25, `shipped ${shipped.winRate} vs scripted ${scripted.winRate}`);
});

test('the VDN and IQL comparison squads fit the game too', () => {
  const env = new CarrotHeistEnv();
  for (const [file, algorithm] of [['vdn', 'vdn'], ['iql', 'iql']] as const) {
    const p = loadPolicy(readFileSync(`assets/carrot-heist/baselines/${file}.json`, 'utf8'), { nAgents: 3, obsSize: env.spec.obsSize, nActions: 5, obsLayout: env.spec.obsLayout });
    assert.equal(p.file.training.algorithm, algorithm);
  }
});
