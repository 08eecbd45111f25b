// The phaser-qmix command line, run as a user runs it (node bin/phaser-qmix.js ...).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { unpackCheckpoint } from '../../plugin/core/index.js';
import { TWO_STEP_UNIFORM_CONFIG } from '../../plugin/envs/index.js';
import { loadCheckpointDir } from '../../plugin/node/index.js';
import { loadEnvModules, UsageError } from '../../plugin/node/cli.js';
import { loadPolicy } from '../../plugin/runtime/index.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/phaser-qmix.js', ...args], { encoding: 'utf8', timeout: 120000 });

describe('phaser-qmix CLI', () => {
  test('train writes metrics.jsonl, policy.json and a checkpoint; eval plays the policy greedily', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pq-cli-'));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify(TWO_STEP_UNIFORM_CONFIG));
    const r = cli('train', '--env', 'two-step', '--steps', '2400', '--seed', '1', '--config', config, '--out', join(dir, 'run'), '--log-every', '400');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /steps 400\/2400 episodes 200 updates \d+ return/); // plain lines when not a terminal
    const lines = (await readFile(join(dir, 'run', 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 6);
    for (const k of ['envSteps', 'episodes', 'updates', 'trainReturnMean', 'testReturnMean', 'loss', 'epsilon', 'updatesPerSec', 'envStepsPerSec']) assert.ok(k in lines[0], k);
    assert.equal(lines.at(-1).envSteps, 2400);
    assert.equal(lines.at(-1).testReturnMean, 8);
    const policy = loadPolicy(await readFile(join(dir, 'run', 'policy.json'), 'utf8'), { nAgents: 2, obsSize: 3, nActions: 2 });
    assert.equal(policy.file.training.algorithm, 'qmix');
    const cp = unpackCheckpoint(await loadCheckpointDir(join(dir, 'run', 'checkpoint')));
    assert.equal(cp.manifest.trainer.envSteps, 2400);
    assert.ok(cp.manifest.buffer !== null);
    const e = cli('eval', '--env', 'two-step', '--policy', join(dir, 'run', 'policy.json'), '--episodes', '5', '--json');
    assert.equal(e.status, 0, e.stderr);
    assert.deepEqual(JSON.parse(e.stdout), { env: 'two-step', episodes: 5, mean: 8, std: 0 });
    // --resume continues from the checkpoint to a larger budget
    const again = cli('train', '--env', 'two-step', '--steps', '3000', '--seed', '1', '--config', config, '--out', join(dir, 'run'), '--resume', join(dir, 'run', 'checkpoint'), '--log-every', '300');
    assert.equal(again.status, 0, again.stderr);
    const after = (await readFile(join(dir, 'run', 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(after.length, 8); // 6 earlier lines kept, 2 more
    assert.equal(after.at(-1).envSteps, 3000);
  });

  test('--preset picks the defaults (recorded in the policy file), --config still wins; --stop-at stops at the first test that reaches it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pq-cli-'));
    const config = join(dir, 'config.json');
    // The paper's uniform-exploration check, minus its preset: --preset pymarl supplies it.
    const { preset: _preset, ...rest } = TWO_STEP_UNIFORM_CONFIG;
    await writeFile(config, JSON.stringify(rest));
    const r = cli('train', '--env', 'two-step', '--steps', '20000', '--seed', '1', '--preset', 'pymarl', '--config', config, '--out', join(dir, 'run'), '--log-every', '400', '--test-episodes', '1', '--stop-at', '8');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /solved: a test reached --stop-at 8 at \d+ env steps; stopped there/);
    const lines = (await readFile(join(dir, 'run', 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.at(-1).envSteps < 20000, `stopped at ${lines.at(-1).envSteps}`);
    assert.equal(lines.at(-1).testReturnMean, 8);
    assert.ok(lines.slice(0, -1).every((l: { testReturnMean: number }) => l.testReturnMean < 8), 'it stopped at the first report that reached 8');
    const policy = loadPolicy(await readFile(join(dir, 'run', 'policy.json'), 'utf8'));
    assert.equal(policy.file.training.preset, 'pymarl');
    const cp = unpackCheckpoint(await loadCheckpointDir(join(dir, 'run', 'checkpoint')));
    assert.equal(cp.manifest.config.preset, 'pymarl');
    assert.equal(cp.manifest.config.targetUpdateInterval, rest.targetUpdateInterval, '--config wins over the preset');
    const bad = cli('train', '--env', 'two-step', '--preset', 'starcraft');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--preset must be one of game, pymarl, pymarl2, got "starcraft"/);
    const nan = cli('train', '--env', 'two-step', '--stop-at', 'most');
    assert.equal(nan.status, 2);
    assert.match(nan.stderr, /--stop-at must be a number, got "most"/);
  });

  test('Ctrl-C saves a checkpoint (and the policy) before exiting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pq-cli-'));
    const child = spawn(process.execPath, ['bin/phaser-qmix.js', 'train', '--env', 'meeting-gridworld', '--steps', '10000000', '--out', dir, '--log-every', '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // After two progress lines (env steps advance by whole episodes, so not exactly 400).
      if ((out.match(/^steps \d+\//gm) ?? []).length >= 2 && !child.killed) child.kill('SIGINT');
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 60000);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    clearTimeout(guard);
    assert.equal(code, 130, out);
    assert.match(out, /interrupted: wrote/);
    const cp = unpackCheckpoint(await loadCheckpointDir(join(dir, 'checkpoint')));
    assert.ok(cp.manifest.trainer.envSteps >= 400);
    assert.ok(existsSync(join(dir, 'policy.json')));
  });

  test('SIGTERM and SIGHUP save as Ctrl-C does (exit 143, 129); periodic saves survive a kill -9 and --resume continues from one', async () => {
    for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
      const dir = await mkdtemp(join(tmpdir(), 'pq-cli-'));
      const child = spawn(process.execPath, ['bin/phaser-qmix.js', 'train', '--env', 'meeting-gridworld', '--steps', '10000000', '--out', dir, '--log-every', '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if ((out.match(/^steps \d+\//gm) ?? []).length >= 2 && !child.killed) child.kill(signal);
      });
      const guard = setTimeout(() => child.kill('SIGKILL'), 60000);
      const exit = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      clearTimeout(guard);
      assert.equal(exit, code, `${signal}: ${out}`);
      assert.match(out, /interrupted: wrote/);
      assert.ok(unpackCheckpoint(await loadCheckpointDir(join(dir, 'checkpoint'))).manifest.trainer.envSteps >= 400);
    }
    // Saves every 20 updates; killed with no chance to save, the last periodic save is complete and resumable.
    const dir = await mkdtemp(join(tmpdir(), 'pq-cli-'));
    const child = spawn(process.execPath, ['bin/phaser-qmix.js', 'train', '--env', 'meeting-gridworld', '--steps', '10000000', '--out', dir, '--log-every', '200', '--save-every', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const t0 = Date.now();
    let saved = 0;
    while (Date.now() - t0 < 60000) {
      await new Promise((r) => setTimeout(r, 200));
      try {
        saved = unpackCheckpoint(await loadCheckpointDir(join(dir, 'checkpoint'))).manifest.learner.updates;
      } catch {
        saved = 0;
      }
      if (saved >= 40) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    assert.ok(saved >= 40 && saved % 20 === 0, `periodic saves at multiples of 20 updates: ${saved}`);
    const kept = unpackCheckpoint(await loadCheckpointDir(join(dir, 'checkpoint'))).manifest;
    assert.ok(existsSync(join(dir, 'policy.json')), 'the policy is saved with it');
    loadPolicy(readFileSync(join(dir, 'policy.json'), 'utf8'));
    const resumed = cli('train', '--env', 'meeting-gridworld', '--steps', String(kept.trainer.envSteps + 3000), '--out', dir, '--resume', join(dir, 'checkpoint'));
    assert.equal(resumed.status, 0, resumed.stderr);
    const after = unpackCheckpoint(await loadCheckpointDir(join(dir, 'checkpoint'))).manifest;
    assert.ok(after.trainer.envSteps >= kept.trainer.envSteps + 3000 && after.learner.updates > kept.learner.updates, 'training went on from the periodic save');
  });

  test('bad input gets a clear error and a usage line', async () => {
    const cases: [string[], RegExp, number][] = [
      [['train', '--env', 'nope'], /unknown env "nope": known envs are two-step, matrix-nonmono, meeting-gridworld, lbf/, 2],
      [['train', '--env', 'two-step', '--stepz', '3'], /unknown flag --stepz for train/, 2],
      [['train', '--env', 'two-step', '--steps', '-4'], /--steps must be an integer >= 1, got "-4"/, 2],
      [['train', '--env', 'two-step', '--algo', 'coma'], /--algo must be qmix, vdn or iql/, 2],
      [['train', '--env', 'two-step', '--config', '/nonexistent.json'], /cannot read config file \/nonexistent\.json: ENOENT/, 2],
      [['eval', '--env', 'two-step'], /--policy is required/, 2],
      [['fly'], /unknown command "fly"/, 2],
      [['envs', '--env-module', 'no/such/env.ts'], /env module .*no\/such\/env\.ts not found/, 2],
    ];
    for (const [args, message, status] of cases) {
      const r = cli(...args);
      assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    // A policy that does not fit the env.
    const dir = await mkdtemp(join(tmpdir(), 'pq-cli-'));
    cli('train', '--env', 'two-step', '--steps', '40', '--out', dir);
    const r = cli('eval', '--env', 'meeting-gridworld', '--policy', join(dir, 'policy.json'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /policy was trained for obs size 3, but it is being loaded for obs size 4/);
  });

  test("a project's own envs: modules listed in package.json (the demo game) or passed with --env-module", async () => {
    const listed = cli('envs');
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^carrot-heist\t/m); // from "phaser-qmix".envModules in this repo's package.json
    const dir = await mkdtemp(join(tmpdir(), 'pq-envmod-'));
    const module = join(dir, 'tiny-env.mts'); // .mts: an ES module wherever it lies
    const registry = join(process.cwd(), 'plugin/envs/registry.ts');
    const matrix = join(process.cwd(), 'plugin/envs/matrix-game.ts');
    await writeFile(module, `import { registerEnv } from ${JSON.stringify(registry)};\nimport { MatrixGameEnv } from ${JSON.stringify(matrix)};\nregisterEnv('tiny-matrix', () => new MatrixGameEnv([[1, 0], [0, 1]]), 'a 2x2 coordination game');\n`);
    const trained = cli('train', '--env', 'tiny-matrix', '--env-module', module, '--steps', '60', '--out', join(dir, 'run'), '--keep-best', '--log-every', '20', '--test-episodes', '2');
    assert.equal(trained.status, 0, trained.stderr);
    assert.match(trained.stdout, /kept the policy of the report at \d+ env steps/);
    assert.ok(existsSync(join(dir, 'run', 'policy-final.json')));
  });

  test('package.json envModules must lie inside the package: a path out of it is refused before anything is imported; --help says modules run as code', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'pq-envmod-out-'));
    const pkg = join(outside, 'pkg');
    await mkdir(join(pkg, 'rules'), { recursive: true });
    // The outside module would mark that it ran.
    await writeFile(join(outside, 'evil.mjs'), 'globalThis.__pqEnvModuleRan = true;\n');
    await writeFile(join(pkg, 'rules', 'ok.mjs'), 'globalThis.__pqEnvModuleOk = true;\n');
    for (const entry of ['../evil.mjs', join(outside, 'evil.mjs'), 'rules/../../evil.mjs']) {
      await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'game', 'phaser-qmix': { envModules: ['rules/ok.mjs', entry] } }));
      await assert.rejects(loadEnvModules(undefined, pkg), (e: Error) => e instanceof UsageError && /lies outside the package/.test(e.message) && e.message.includes(JSON.stringify(entry)));
    }
    assert.equal((globalThis as { __pqEnvModuleRan?: boolean }).__pqEnvModuleRan, undefined);
    assert.equal((globalThis as { __pqEnvModuleOk?: boolean }).__pqEnvModuleOk, undefined, 'nothing is imported when one entry is refused');
    // Inside the package: imported. The flag may point anywhere (the user's own word).
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'game', 'phaser-qmix': { envModules: ['rules/ok.mjs'] } }));
    const files = await loadEnvModules(join(outside, 'evil.mjs'), pkg);
    assert.equal(files.length, 2);
    assert.equal((globalThis as { __pqEnvModuleOk?: boolean }).__pqEnvModuleOk, true);
    assert.equal((globalThis as { __pqEnvModuleRan?: boolean }).__pqEnvModuleRan, true);
    const help = cli('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /run as code/);
  });

  test('config files: null or a bad field is refused before anything is written (metrics.jsonl of the last run kept); the file\'s seed and mixer are not overridden by flag defaults; --algo against the file\'s mixer is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pq-cli-config-'));
    const run = join(dir, 'run');
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ seed: 7, mixer: 'vdn', bufferSize: 64, batchSize: 8 }));
    const ok = cli('train', '--env', 'two-step', '--steps', '200', '--config', config, '--out', run, '--log-every', '100');
    assert.equal(ok.status, 0, ok.stderr);
    const cp = unpackCheckpoint(await loadCheckpointDir(join(run, 'checkpoint')));
    assert.equal(cp.manifest.config.seed, 7);
    assert.equal(cp.manifest.config.mixer, 'vdn');
    assert.equal(JSON.parse(await readFile(join(run, 'policy.json'), 'utf8')).training.algorithm, 'vdn');
    const metrics = await readFile(join(run, 'metrics.jsonl'), 'utf8');
    assert.ok(metrics.length > 0);
    for (const [content, message] of [
      ['null', /config file .* must hold a JSON object of settings, not null/],
      ['[1]', /must hold a JSON object of settings, not an array/],
      ['{"gamma": 5}', /config: config\.gamma = 5 is invalid/],
      ['{"constructor": 1}', /config\.constructor .*unknown field/],
      ['{"bufferSize": 2000000}', /config\.bufferSize = 2000000 is invalid/],
    ] as const) {
      await writeFile(config, content);
      const r = cli('train', '--env', 'two-step', '--steps', '200', '--config', config, '--out', run);
      assert.equal(r.status, 2, `${content}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(await readFile(join(run, 'metrics.jsonl'), 'utf8'), metrics, `${content}: the last run's metrics are kept`);
    }
    await writeFile(config, JSON.stringify({ mixer: 'vdn' }));
    const clash = cli('train', '--env', 'two-step', '--steps', '200', '--config', config, '--algo', 'qmix', '--out', run);
    assert.equal(clash.status, 2);
    assert.match(clash.stderr, /--algo qmix and the config file's "mixer": "vdn" disagree/);
  });

  test('one run per output directory: a second train into the same --out is refused while the first runs; a failing metrics file is reported and the run still saves', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pq-cli-lock-'));
    const first = spawn(process.execPath, ['bin/phaser-qmix.js', 'train', '--env', 'two-step', '--steps', '100000000', '--out', dir, '--log-every', '200', '--test-episodes', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Wait for its first progress line: the lock is taken by then.
    await new Promise<void>((ok, fail) => {
      first.stdout.on('data', (c: Buffer) => /steps \d+/.test(c.toString()) && ok());
      first.on('exit', () => fail(new Error('the first run ended early')));
    });
    const second = cli('train', '--env', 'two-step', '--steps', '200', '--out', dir);
    assert.equal(second.status, 2, second.stderr);
    assert.match(second.stderr, /is locked by another writer \(pid \d+ on .*, training since .*\): two processes must not write one output directory/);
    first.kill('SIGTERM');
    await new Promise((r) => first.on('exit', r));
    assert.equal(first.exitCode, 143);
    // Free again after the first run ends. A metrics file that cannot be written: a warning, exit 1, checkpoint and policy saved.
    const steps = unpackCheckpoint(await loadCheckpointDir(join(dir, 'checkpoint'))).manifest.trainer.envSteps;
    await rm(join(dir, 'metrics.jsonl'));
    await mkdir(join(dir, 'metrics.jsonl'));
    const resumed = cli('train', '--env', 'two-step', '--steps', String(steps + 400), '--out', dir, '--resume', join(dir, 'checkpoint'), '--log-every', '100', '--test-episodes', '1');
    assert.equal(resumed.status, 1, resumed.stderr);
    assert.match(resumed.stdout, /warning: cannot write .*metrics\.jsonl \(EISDIR/);
    assert.equal(unpackCheckpoint(await loadCheckpointDir(join(dir, 'checkpoint'))).manifest.trainer.envSteps, steps + 400);
    assert.ok(existsSync(join(dir, 'policy.json')));
  });

  test('a run that diverges (rewards of 3e38) reports each rollback, stops with a clear error and exit 1, and leaves the last good policy and checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pq-cli-diverge-'));
    const module = join(dir, 'huge-env.mts');
    const registry = join(process.cwd(), 'plugin/envs/registry.ts');
    const matrix = join(process.cwd(), 'plugin/envs/matrix-game.ts');
    await writeFile(module, `import { registerEnv } from ${JSON.stringify(registry)};\nimport { MatrixGameEnv } from ${JSON.stringify(matrix)};\nregisterEnv('huge-matrix', () => new MatrixGameEnv([[3e38, 0], [0, 3e38]]), 'rewards too large to learn');\n`);
    // --preset pymarl: raw rewards (the game preset standardises them, and 3e38 then trains).
    const r = cli('train', '--env', 'huge-matrix', '--env-module', module, '--preset', 'pymarl', '--steps', '3000', '--out', join(dir, 'run'), '--log-every', '500');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /diverged at update 1 \(loss Infinity\): rolled back to update 0 \(rollback 1 of 3 in a row before stopping\)/);
    assert.match(r.stdout, /stopped: training diverged 3 times in a row/);
    assert.doesNotMatch(r.stdout, /loss NaN/);
    loadPolicy(await readFile(join(dir, 'run', 'policy.json'), 'utf8'));
    assert.equal(unpackCheckpoint(await loadCheckpointDir(join(dir, 'run', 'checkpoint'))).manifest.buffer, null);
  });
});
