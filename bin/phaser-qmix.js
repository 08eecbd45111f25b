#!/usr/bin/env node
// The phaser-qmix command line (plugin/node/cli.ts). An installed package
// runs the compiled dist/; a source checkout runs the TypeScript through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/plugin/node/cli.js', import.meta.url);
let cli;
if (existsSync(compiled)) {
  cli = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../plugin/node/cli.ts', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
