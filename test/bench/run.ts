// `npm run bench`: the Node benchmark (plugin/node/bench.ts) plus the browser
// frame-time benchmark, as one JSON document on stdout.
import { runBench } from '../../plugin/node/bench.js';
import { browserBench } from './browser.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const output: Record<string, unknown> = await runBench({ quick, cpu: !args.has('--no-cpu'), returns: !args.has('--no-returns') });
if (!args.has('--no-browser')) {
  try {
    output.browser = await browserBench(quick ? 4 : 10);
  } catch (e) {
    output.browser = { skipped: (e as Error).message };
  }
}
console.log(JSON.stringify(output, null, 2));
