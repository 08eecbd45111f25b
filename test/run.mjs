#!/usr/bin/env node
// The test command (`npm test`): type-check, then every test file under
// test/ with node:test (TypeScript through tsx). The last line printed is
// "N passed, N failed" over all of them; the exit code is 1 on any failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let passed = 0;
let failed = 0;
const failures = [];

if (only.length === 0) {
  console.log('# typecheck (tsc --noEmit)');
  const tsc = spawnSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json', '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (tsc.status === 0) passed++;
  else {
    failed++;
    failures.push('typecheck');
  }
}

const files = only.length > 0 ? only : findTests(join(root, 'test')).map((f) => relative(root, f));
const totalsFile = join(mkdtempSync(join(tmpdir(), 'phaser-qmix-test-')), 'totals.json');
const run = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    // No single test may hang CI. The limit also applies to each file as a
    // whole (the runner runs each file as one test): 20 minutes, so that a
    // browser file of a few minutes still passes on a machine loaded 5x.
    '--test-timeout=1200000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./test/support/totals-reporter.mjs',
    `--test-reporter-destination=${totalsFile}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } },
);
try {
  const t = JSON.parse(readFileSync(totalsFile, 'utf8'));
  passed += t.passed;
  failed += t.failed;
  failures.push(...t.failures);
} catch {
  failed++;
  failures.push(`node --test exited with ${run.status} before reporting totals`);
}
if (failures.length > 0) console.log(`\nfailed:\n  ${failures.join('\n  ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
