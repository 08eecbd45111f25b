// The preset suite's bookkeeping (test/bench/presets.ts): cells group into
// rows per preset, task, algorithm and budget, and the target is
// judged on game/qmix rows at each task's own budget.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presetsTarget, suiteRows, SUITE_TASKS, type SuiteCell } from '../bench/presets.js';

const cell = (task: string, seed: number, solved: boolean, steps: number | null, budgetSteps: number, algo: SuiteCell['algo'] = 'qmix'): SuiteCell => ({
  task, preset: 'game', algo, seed, budgetSteps, solved, stepsToSolve: steps, bestScore: solved ? 1 : 0, envSteps: steps ?? budgetSteps, seconds: 1,
});
const budget = (task: string): number => SUITE_TASKS.find((t) => t.name === task)!.budgetSteps;

/** Every suite task solved by game/qmix in `solved` of 5 seeds at its budget (steps 10k + 1k a seed). */
function table(solved: number, override: Partial<Record<string, SuiteCell[]>> = {}): SuiteCell[] {
  return SUITE_TASKS.flatMap((t) => override[t.name] ?? [0, 1, 2, 3, 4].map((s) => cell(t.name, s, s < solved, s < solved ? 10_000 + 1000 * s : null, t.budgetSteps)));
}

test('suite rows: one per preset, task, algorithm and budget, with the median over solved seeds', () => {
  const cells = [cell('plates', 0, true, 9000, 60_000), cell('plates', 1, true, 15_000, 60_000), cell('plates', 2, false, null, 60_000), cell('plates', 0, true, 30_000, 180_000), cell('plates', 0, false, null, 60_000, 'vdn')];
  const rows = suiteRows(cells);
  assert.equal(rows.length, 3);
  assert.deepEqual(rows.find((r) => r.algo === 'qmix' && r.budgetSteps === 60_000), { preset: 'game', task: 'plates', algo: 'qmix', budgetSteps: 60_000, seeds: 3, seedsSolved: 2, medianStepsToSolve: 12_000 });
  assert.equal(rows.find((r) => r.budgetSteps === 180_000)!.seedsSolved, 1);
});

test('the target: 4 of 5 seeds on every task at its own budget, and Carrot Heist under 100k; each shortfall named', () => {
  assert.deepEqual(presetsTarget(suiteRows(table(4)), SUITE_TASKS), { met: true, tasksShort: [], carrotHeistMedianSteps: 11_500, carrotHeistUnder100k: true });
  assert.deepEqual(presetsTarget(suiteRows(table(3)), SUITE_TASKS).tasksShort, SUITE_TASKS.map((t) => t.name));
  // LBF solved 5 of 5, but at three times its budget: that row does not count.
  const lbf = 'lbf:8x8-2p-2f-coop';
  const late = table(5, { [lbf]: [0, 1, 2, 3, 4].map((s) => cell(lbf, s, true, 200_000, 3 * budget(lbf))) });
  assert.deepEqual(presetsTarget(suiteRows(late), SUITE_TASKS).tasksShort, [lbf]);
  // Four seeds run are not five.
  const few = table(5, { plates: [0, 1, 2, 3].map((s) => cell('plates', s, true, 9000, budget('plates'))) });
  assert.deepEqual(presetsTarget(suiteRows(few), SUITE_TASKS).tasksShort, ['plates']);
  // Carrot Heist solved, but only past 100k steps at the median.
  const slow = table(5, { 'carrot-heist': [0, 1, 2, 3, 4].map((s) => cell('carrot-heist', s, true, 100_000, budget('carrot-heist'))) });
  const t = presetsTarget(suiteRows(slow), SUITE_TASKS);
  assert.deepEqual([t.met, t.tasksShort, t.carrotHeistUnder100k], [false, [], false]);
});
