// The package as a user gets it: build, then import only the package root.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

test('the packed tarball stands alone: installed into a fresh project with Phaser 4, a consumer type-checks, a root import of loadPolicy bundles small, and the CLI loads a TypeScript env module through tsx', async () => {
  const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join, resolve } = await import('node:path');
  const { build } = await import('esbuild');
  const { gzipSync } = await import('node:zlib');
  const repo = resolve('.');
  const work = mkdtempSync(join(tmpdir(), 'pq-pack-'));
  // A stale file in dist/ must not reach the tarball: prepack starts from an empty dist/.
  mkdirSync('dist/plugin', { recursive: true });
  writeFileSync('dist/plugin/stale-file.js', 'export {};');
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; files: { path: string }[]; size: number; unpackedSize: number }[];
  const files = packed[0].files.map((f) => f.path);
  for (const must of ['LICENSE', 'README.md', 'package.json', 'docs/runtime.md', 'docs/worker.md', 'dist/plugin/index.js', 'dist/plugin/runtime/index.d.ts', 'bin/phaser-qmix.js', 'dist/browser/phaser-qmix.js', 'dist/browser/phaser-qmix-worker.js', 'dist/browser/tfjs-backend-wasm-simd.wasm', 'plugin/learn/vendor/tfjs-setup.mjs', 'plugin/learn/vendor/tfjs-setup.node.mjs']) assert.ok(files.includes(must), `the tarball holds ${must}`);
  for (const f of files) {
    assert.ok(!f.endsWith('.map'), `no source maps pointing at sources that are not shipped: ${f}`);
    assert.ok(!f.startsWith('assets/'), `no demo assets: ${f}`);
    assert.ok(/^(dist|bin|docs)\/|^plugin\/learn\/vendor\/[\w.-]+\.mjs$|^(LICENSE|README\.md|package\.json)$/.test(f), `only the package's own files: ${f}`);
  }
  assert.ok(!files.includes('dist/plugin/stale-file.js'), 'a stale dist file was packed');
  // The README's relative links point at files in the tarball.
  for (const [, link] of readFileSync('README.md', 'utf8').matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)) assert.ok(files.includes(link), `README links ${link}, which the tarball lacks`);
  for (const doc of files.filter((f) => f.startsWith('docs/'))) {
    for (const [, link] of readFileSync(doc, 'utf8').matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)) assert.ok(files.includes(join('docs', link).replace(/\\/g, '/')), `${doc} links ${link}, which the tarball lacks`);
  }
  // A fresh project, installed as a user installs it (the npm cache serves what CI already fetched).
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'my-game', private: true, type: 'module' }));
  const npm = (...args: string[]) => execFileSync('npm', args, { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  npm('install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed[0].filename), 'phaser@^4');
  writeFileSync(join(app, 'consumer.ts'), [
    "import { loadPolicy, PolicyError } from 'phaser-qmix/runtime';",
    "import { validateConfig, type MultiAgentEnv } from 'phaser-qmix/core';",
    "import { QmixPlugin } from 'phaser-qmix/phaser';",
    "import { WorkerTrainer } from 'phaser-qmix/worker';",
    "import { train } from 'phaser-qmix/learn';",
    "export const used = [loadPolicy, PolicyError, validateConfig, QmixPlugin, WorkerTrainer, train];",
    "export type Env = MultiAgentEnv;",
  ].join('\n'));
  for (const resolution of [['--module', 'nodenext', '--moduleResolution', 'nodenext'], ['--module', 'esnext', '--moduleResolution', 'bundler']]) {
    execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--lib', 'es2022,dom,dom.iterable', '--types', '', ...resolution, 'consumer.ts'], { cwd: app, stdio: 'pipe' });
  }
  // The README's first import, from the package root: tree-shaken to the runtime.
  writeFileSync(join(app, 'ship.js'), "import { loadPolicy } from 'phaser-qmix';\nexport const load = loadPolicy;\n");
  const out = await build({ entryPoints: [join(app, 'ship.js')], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, absWorkingDir: app, logLevel: 'silent' });
  const js = out.outputFiles[0].contents;
  console.log(`package: tarball ${packed[0].size} B, unpacked ${packed[0].unpackedSize} B; root import of loadPolicy ${js.length} B minified, ${gzipSync(js).length} B gzip`);
  assert.ok(js.length <= 15 * 1024, `loadPolicy from the root bundles to ${js.length} B`);
  assert.ok(!Buffer.from(js).toString().includes('tfjs'), 'no tfjs in it');
  // The CLI of the installed package: a TypeScript env module needs tsx, and says so; with tsx installed it loads.
  writeFileSync(join(app, 'my-env.ts'), "import { registerEnv } from 'phaser-qmix/envs';\nimport { MatrixGameEnv } from 'phaser-qmix/envs';\nconst payoff: number[][] = [[1, 0], [0, 1]];\nregisterEnv('my-matrix', () => new MatrixGameEnv(payoff), 'a TypeScript env');\n");
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(app, 'node_modules/phaser-qmix/bin/phaser-qmix.js'), ...args], { cwd: app, encoding: 'utf8' });
  const without = cli('envs', '--env-module', 'my-env.ts');
  assert.equal(without.status, 2, without.stderr);
  assert.match(without.stderr, /is TypeScript, which Node does not load by itself: install tsx/);
  npm('install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', 'tsx');
  const withTsx = cli('envs', '--env-module', 'my-env.ts');
  assert.equal(withTsx.status, 0, withTsx.stderr);
  assert.match(withTsx.stdout, /^my-matrix\ta TypeScript env$/m);
});
