// CLI flags and config files, crafted with a seeded generator (Rng stream
// 'cli-fuzz'), through the CLI's own entry in this process: each run ends
// with exit 0, 1 or 2 and a message of its own, never an escaped exception
// or an untyped crash (TypeError and the like). Budgets are tiny (--steps
// at most 40 on two-step) so the whole fuzz stays quick.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ConfigError, Rng, validateConfig } from '../../plugin/core/index.js';
import { cli } from '../../plugin/node/index.js';
import '../support/tf.js';

/** A stream that keeps what is written (the CLI's out and err). */
function sink(): NodeJS.WriteStream & { text: string } {
  const w = new Writable({ write(chunk, _enc, done) { (w as unknown as { text: string }).text += String(chunk); done(); } }) as unknown as NodeJS.WriteStream & { text: string };
  w.text = '';
  return w;
}

const UNTYPED = /internal error|TypeError|ReferenceError|Cannot read prop|is not a function|is not iterable|undefined is not|Maximum call stack/;

test('CLI fuzz: 80 crafted command lines and config files end in exit 0, 1 or 2 with a message, never an untyped error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pq-cli-fuzz-'));
  const rng = new Rng(1, 'cli-fuzz');
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const configs = ['null', '[]', '"x"', '{}', '{"gamma": 2}', '{"lr": "0.1"}', '{"__proto__": {"lr": 1}}', '{"constructor": 1}', '{"batchSize": 64, "bufferSize": 8}', '{"mixer": "vdn"}', '{"seed": -1}', '{"preset": "toString"}', '{"bufferSize": 1e9}', '{"hiddenDim": 8, "batchSize": 4}', '{', `{"a":${'['.repeat(100000)}${']'.repeat(100000)}}`];
  const configFiles = await Promise.all(configs.map(async (c, i) => {
    const f = join(dir, `config-${i}.json`);
    await writeFile(f, c);
    return f;
  }));
  const policyFile = join(dir, 'policy.json');
  await writeFile(policyFile, '{"format": "phaser-qmix/policy", "version": 1}');
  const VALUES: Record<string, () => string> = {
    env: () => pick(['two-step', 'nope', '__proto__', 'constructor', '']),
    algo: () => pick(['qmix', 'vdn', 'iql', 'coma', 'toString']),
    steps: () => pick(['1', '20', '40', '-3', 'x', '1.5', 'NaN', '']),
    seed: () => pick(['0', '7', '-1', '1e400', 'x']),
    config: () => pick([...configFiles, '/nonexistent.json', dir]),
    preset: () => pick(['game', 'pymarl', 'pymarl2', 'constructor', '__proto__']),
    out: () => join(dir, `out-${rng.int(3)}`),
    backend: () => pick(['wasm', 'cpu', 'gpu']),
    envs: () => pick(['1', '2', '0', 'x']),
    resume: () => pick([join(dir, 'out-0', 'checkpoint'), '/nonexistent', dir]),
    'log-every': () => pick(['1', '10', '0', 'x']),
    'test-episodes': () => pick(['1', '0', 'x']),
    'stop-at': () => pick(['1', 'NaN', 'x', '8']),
    'save-every': () => pick(['0', '5', '-1']),
    'save-minutes': () => pick(['0', '0.01', '-1', 'x']),
    policy: () => pick([policyFile, '/nonexistent', dir]),
    episodes: () => pick(['1', '0', 'x']),
    'env-module': () => pick(['/nonexistent.mjs', dir]),
  };
  const OWN: Record<string, string[]> = {
    train: ['algo', 'steps', 'seed', 'config', 'config', 'config', 'preset', 'out', 'backend', 'envs', 'resume', 'log-every', 'test-episodes', 'stop-at', 'save-every', 'save-minutes', 'keep-best'],
    eval: ['policy', 'episodes', 'seed', 'json'],
    envs: ['env-module'],
  };
  const BOGUS = ['constructor', 'hasOwnProperty', 'nope', 'quick', 'env-module'];
  const codes = { 0: 0, 1: 0, 2: 0 } as Record<number, number>;
  for (let i = 0; i < 80; i++) {
    const command = pick(['train', 'train', 'train', 'eval', 'envs', 'constructor', '__proto__', 'fly']);
    const argv: string[] = [command];
    // Mostly the command's own flags (so runs get past parsing), now and then any.
    if ((command === 'train' || command === 'eval') && rng.int(5) !== 0) argv.push('--env', rng.int(4) === 0 ? VALUES.env() : 'two-step');
    for (let k = rng.int(5); k > 0; k--) {
      const flag = rng.int(8) === 0 || !Object.hasOwn(OWN, command) ? pick(BOGUS) : pick(OWN[command]);
      argv.push(`--${flag}`);
      if (flag in VALUES && rng.int(10) !== 0) argv.push(VALUES[flag]());
    }
    // Keep every run short: a training run gets at most 40 steps.
    if (command === 'train' && !argv.includes('--steps')) argv.push('--steps', '20');
    // And writes under the temp directory, never the default ./phaser-qmix-run.
    if (command === 'train' && !argv.includes('--out')) argv.push('--out', join(dir, 'default-out'));
    const out = sink();
    const err = sink();
    let code: number;
    try {
      code = await cli(argv, out, err);
    } catch (e) {
      assert.fail(`${argv.join(' ')}: threw ${(e as Error).stack}`);
    }
    assert.ok(code === 0 || code === 1 || code === 2, `${argv.join(' ')}: exit ${code}`);
    if (code !== 0) assert.ok(err.text.length > 0, `${argv.join(' ')}: exit ${code} without a message`);
    assert.doesNotMatch(err.text, UNTYPED, argv.join(' '));
    codes[code]++;
  }
  console.log(`cli fuzz exit codes: ${JSON.stringify(codes)}`);
  assert.ok(codes[2] > 10 && codes[0] + codes[1] > 10, 'both refusals and runs');
});

test('config fuzz: 500 crafted partial configs give a frozen config or a ConfigError, never another exception', () => {
  const rng = new Rng(2, 'cli-fuzz');
  const KEYS = ['lr', 'gamma', 'batchSize', 'bufferSize', 'mixer', 'agent', 'preset', 'seed', 'tdLambda', 'epsilonSchedule', 'epsilonFinish', 'hiddenDim', 'hypernetLayers', 'mixerLr', 'optimizer', '__proto__', 'constructor', 'toString', 'x'];
  const VALUES: unknown[] = [0, 1, -1, 0.5, 1e9, NaN, Infinity, null, undefined, 'qmix', 'game', 'exponential', true, [], {}, '1e-3', 2 ** 31];
  let ok = 0;
  for (let i = 0; i < 500; i++) {
    const c: Record<string, unknown> = {};
    for (let k = rng.int(4); k >= 0; k--) Object.defineProperty(c, KEYS[rng.int(KEYS.length)], { value: VALUES[rng.int(VALUES.length)], enumerable: true, configurable: true, writable: true });
    try {
      const v = validateConfig(c);
      assert.ok(Object.isFrozen(v));
      ok++;
    } catch (e) {
      assert.ok(e instanceof ConfigError, `${JSON.stringify(c)} threw ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  assert.ok(ok > 10 && ok < 400, `valid configs: ${ok}`);
});
