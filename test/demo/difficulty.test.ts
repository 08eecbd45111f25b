// The demo's difficulty levels: the shipped squad, weakened by each level's
// blunders, catches the human-like (forager) rabbit less often the easier
// the level, by margins a level that changed nothing would miss. Seeds
// 200000+ (other tests and the README use other ranges).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadPolicy } from '../../plugin/runtime/greedy-policy.js';
import { Rng } from '../../plugin/core/rng.js';
import { policyPlayer, winRate, type GardenerSquadPlayer } from '../../demo-game/rules/evaluate.js';
import { DEFAULT_DIFFICULTY, DIFFICULTIES, nextDifficulty, parseDifficulty, weakenMove, type Difficulty } from '../../demo-game/difficulty.js';

const SEEDS = 200_000;

/** The shipped squad at a level: the same move weakening the play scene applies, over the agent's mask. */
function atLevel(level: Difficulty, seed: number): GardenerSquadPlayer {
  const base = policyPlayer(loadPolicy(readFileSync('assets/carrot-heist/policy.json', 'utf8')));
  const rng = new Rng(seed, 'difficulty');
  const random = (): number => rng.next();
  return { reset: () => base.reset(), act: (i, obs, avail) => weakenMove(base.act(i, obs, avail), (a) => avail[a] === 1, avail.length, DIFFICULTIES[level].blunder, random) };
}

test('difficulty: each level of the demo catches the forager rabbit less often than the next harder one', () => {
  const rates = Object.fromEntries((Object.keys(DIFFICULTIES) as Difficulty[]).map((d) => [d, winRate(atLevel(d, 1), { rabbit: 'forager' }, 300, SEEDS).winRate]));
  console.log(`difficulty: forager caught ${JSON.stringify(rates)}`);
  assert.ok(rates.hard >= 0.85, `hard is the squad as shipped: ${rates.hard}`);
  assert.ok(rates.medium <= rates.hard - 0.1, `medium ${rates.medium} vs hard ${rates.hard}`);
  assert.ok(rates.easy <= rates.medium - 0.12, `easy ${rates.easy} vs medium ${rates.medium}`);
});

test('difficulty: a blunder takes only open moves; no blunder keeps the squad\'s move; levels cycle and parse', () => {
  const rng = new Rng(3, 'blunders');
  const random = (): number => rng.next();
  const open = [true, false, true, false, false];
  const counts = [0, 0, 0, 0, 0];
  for (let k = 0; k < 4000; k++) counts[weakenMove(2, (a) => open[a], 5, 1, random)]++;
  assert.equal(counts[1] + counts[3] + counts[4], 0, 'a closed move was taken');
  assert.ok(Math.abs(counts[0] - 2000) < 200, `stay taken ${counts[0]} of 4000 (uniform over 2 open moves)`);
  for (let k = 0; k < 100; k++) assert.equal(weakenMove(4, () => true, 5, 0, random), 4);
  assert.equal(weakenMove(4, () => false, 5, 1, random), 4, 'nothing open: the squad\'s move stands');
  assert.equal(nextDifficulty('hard', 1), 'easy');
  assert.equal(nextDifficulty('easy', -1), 'hard');
  assert.equal(parseDifficulty('medium'), 'medium');
  assert.equal(parseDifficulty('impossible'), DEFAULT_DIFFICULTY);
  assert.equal(parseDifficulty(null), DEFAULT_DIFFICULTY);
});
