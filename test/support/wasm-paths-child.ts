// Child process for the wasmPaths tests: a fresh tfjs (no backend chosen
// yet) starts the wasm backend with argv[2] (JSON) as wasmPaths and prints
// "ok <backend>" or "error <message>".
import { useBackend } from '../../plugin/learn/backend.js';

try {
  await useBackend('wasm', { wasmPaths: JSON.parse(process.argv[2]) });
  const tf = await import('../../plugin/learn/tf.js');
  process.stdout.write(`ok ${tf.getBackend()}\n`);
} catch (e) {
  process.stdout.write(`error ${(e as Error).message}\n`);
}
