// Benchmark worker: learner update times on the reference shape inside a Web
// Worker, as the plugin trains in the browser: wasm with the fused kernels
// and with the plain tfjs path, alternating in blocks; WebGL (plain) last.
import { useBackend } from '../../../plugin/learn/backend.js';
import { median, timeUpdates, type UpdateTiming } from '../../../plugin/node/update-timing.js';

interface Request {
  readonly repeats: number;
  readonly webglRepeats: number;
}

self.onmessage = async (event: MessageEvent<Request>) => {
  const { repeats, webglRepeats } = event.data;
  const out: UpdateTiming[] = [];
  try {
    await useBackend('wasm', { wasmPaths: '/wasm/' });
    for (const agent of ['gru', 'mlp'] as const) {
      const blocks: Record<string, UpdateTiming[]> = { fused: [], plain: [] };
      for (let done = 0; done < repeats; done += 5) {
        for (const path of ['fused', 'plain'] as const) blocks[path].push(timeUpdates(agent, path, Math.min(5, repeats - done)));
      }
      for (const path of ['fused', 'plain'] as const) {
        const parts = blocks[path];
        out.push({ ...parts[0], medianMs: +median(parts.map((p) => p.medianMs)).toFixed(2), minMs: Math.min(...parts.map((p) => p.minMs)), repeats: parts.reduce((n, p) => n + p.repeats, 0) });
      }
    }
    if (webglRepeats > 0) {
      await useBackend('webgl');
      out.push(timeUpdates('gru', 'plain', webglRepeats));
    }
    self.postMessage({ ok: true, updates: out });
  } catch (e) {
    self.postMessage({ ok: false, error: (e as Error).message, updates: out });
  }
};
