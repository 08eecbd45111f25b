// `npm run bench`: the Node benchmark (plugin/node/bench.ts), the demo game's
// win rates (test/bench/heist.ts) and the browser frame-time benchmark, as one
// JSON document on stdout. Flags: --quick --no-cpu --no-returns --no-heist --no-cli-phases --no-issue-baseline --no-browser --no-browser-training
// --no-presets, --no-sensors, --no-demos, --presets-from FILE, --demos-from FILE (the preset table from cells recorded by test/bench/presets.ts).
import { spawnSync } from 'node:child_process';
import { kernelVariant } from '../../plugin/learn/wasm-kernel.js';
import { runBench } from '../../plugin/node/bench.js';
import { browserBench } from './browser.js';
import { browserTrainingBench } from './browser-training.js';
import { heistBench } from './heist.js';
import { presetsBench, presetsFromCells } from './presets.js';
import { sensorsBench } from './sensors.js';
import { demosBench, demosFromCells } from './demos.js';
import { cliPhasesBench } from './cli-phases.js';
import { issueBaselineBench } from './issue-baseline.js';

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
const output: Record<string, unknown> = await runBench({ quick, cpu: !args.has('--no-cpu'), returns: !args.has('--no-returns') });
// The main run uses the kernels' relaxed-SIMD build (Node sets the flag itself): the same updates with the plain SIMD build, in a child Node.
output.kernel = kernelVariant();
const plainSimd = spawnSync(process.execPath, ['--import', 'tsx', 'test/bench/updates.ts', String(quick ? 5 : 20)], { encoding: 'utf8', env: { ...process.env, PHASER_QMIX_KERNEL: 'simd' } });
output.updatePlainSimd = plainSimd.status === 0 ? JSON.parse(plainSimd.stdout.trim().split('\n').pop()!) : { skipped: plainSimd.stderr.slice(-500) };
if (!args.has('--no-heist')) output.carrotHeist = heistBench(quick ? 100 : 500);
// Where the CLI's time goes, acting through tfjs (before) and the kernel (after), runs alternating.
if (!args.has('--no-cli-phases')) output.cliPhases = await cliPhasesBench({ steps: quick ? 3000 : 10_000, rounds: quick ? 1 : 2 });
// Issue 20's targets against the code it was filed against (commit df97387), on this machine in one run.
if (!args.has('--no-issue-baseline')) output.issueBaseline = issueBaselineBench({ blocks: quick ? 1 : 3, perBlock: quick ? 5 : 10, cliRounds: quick ? 1 : 2, cliSteps: quick ? 3000 : 10_000 });
if (!args.has('--no-sensors')) output.sensors = sensorsBench(quick);
if (!args.has('--no-browser')) {
  try {
    output.browser = await browserBench(quick ? 4 : 10);
  } catch (e) {
    output.browser = { skipped: (e as Error).message };
  }
}
if (!args.has('--no-browser') && !args.has('--no-browser-training')) {
  try {
    // Up to 20 minutes (the issue's cap) for a 90% catch rate; --quick caps it at 3.
    output.browserTraining = await browserTrainingBench(quick ? 180 : 1200, quick ? 10000 : 30000);
  } catch (e) {
    output.browserTraining = { skipped: (e as Error).message };
  }
}
if (!args.has('--no-presets')) {
  // The whole suite is hours of training on a 2-core machine: --presets-from reads the cells the suite runner recorded.
  const from = argv[argv.indexOf('--presets-from') + 1];
  output.presets = args.has('--presets-from') ? presetsFromCells(from) : await presetsBench({ quick });
}
if (!args.has('--no-demos')) {
  // Ten training runs per task: --demos-from reads the cells test/bench/demos.ts recorded.
  const from = argv[argv.indexOf('--demos-from') + 1];
  output.demos = args.has('--demos-from') ? demosFromCells(from) : await demosBench({ quick });
}
console.log(JSON.stringify(output, null, 2));
