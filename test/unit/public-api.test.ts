// The package as a user gets it: build, then import only the package root.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

test('the built package root exports the learner, envs and core with type declarations', async () => {
  execFileSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.build.json'], { stdio: 'pipe' });
  assert.ok(existsSync('dist/plugin/index.d.ts'));
  assert.ok(existsSync('dist/plugin/learn/learner.d.ts'));
  assert.ok(existsSync('dist/plugin/editor/index.d.ts'));
  // A computed specifier: the type-check runs before dist/ exists on a fresh clone.
  const root = 'phaser-qmix';
  const api = (await import(root)) as Record<string, unknown>;
  for (const name of ['QLearner', 'Trainer', 'TfjsActor', 'useBackend', 'validateConfig', 'EpisodeBuffer', 'EpisodeBuilder', 'runEpisode', 'TwoStepEnv', 'MatrixGameEnv', 'Rng', 'DEFAULT_CONFIG']) {
    assert.ok(name in api, `phaser-qmix exports ${name}`);
  }
  const core = (await import(`${root}/core`)) as typeof import('../../plugin/core/index.js');
  assert.equal(core.validateConfig().mixer, 'qmix');
});
