#!/usr/bin/env node
// The phaser-qmix command line (plugin/node/cli.ts). In a source checkout it
// runs the TypeScript through tsx (so a stale dist/ never answers); an
// installed package, which ships only dist/, runs the compiled code.
import { existsSync } from 'node:fs';

const source = new URL('../plugin/node/cli.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import(new URL('../dist/plugin/node/cli.js', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
