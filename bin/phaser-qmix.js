#!/usr/bin/env node
// The phaser-qmix command line. The train / eval / bench commands arrive with
// the headless trainer; until then this says so plainly instead of pretending.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const [command] = process.argv.slice(2);
if (command === '--version' || command === '-v') {
  console.log(pkg.version);
} else {
  console.error(`phaser-qmix ${pkg.version}: the CLI commands (train, eval, bench) are not available in this version yet.`);
  process.exit(2);
}
