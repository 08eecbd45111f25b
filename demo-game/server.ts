/**
 * `npm start`: bundles the demo game and the training editor with esbuild
 * and serves them (and the assets) on a local URL. Bundling happens once at
 * start-up, in memory; the game bundle is checked to hold no tfjs, since
 * greedy play must not need it (only the editor's worker loads it).
 *
 *   npm start                 -> http://localhost:8080/ (game), /editor.html (editor)
 *   PORT=9000 npm start       -> another port
 */
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.md': 'text/markdown; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  return out.outputFiles[0].text;
}

/** Bundles the game's entry; returns the JS text. */
export async function bundleGame(): Promise<string> {
  const js = await bundle('demo-game/main.ts');
  if (js.includes('@tensorflow') || js.includes('tfjs-core')) throw new Error('the game bundle pulled in tfjs: greedy play must not need it');
  return js;
}

/** The editor page's bundles: the page (no tfjs either) and its training worker. */
export async function bundleEditor(): Promise<{ page: string; worker: string }> {
  const [page, worker] = await Promise.all([bundle('demo-game/editor.ts'), bundle('demo-game/editor-worker.ts')]);
  if (page.includes('tfjs-core')) throw new Error('the editor page bundle pulled in tfjs: only its worker should');
  return { page, worker };
}

/** Starts the server; resolves with its URL. */
export async function serveDemo(port: number, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  const [game, editor] = await Promise.all([bundleGame(), bundleEditor()]);
  const files: Record<string, string> = { '/game.js': game, '/editor.js': editor.page, '/editor-worker.js': editor.worker };
  const statics: Record<string, string> = {
    '/vendor/': join(ROOT, 'node_modules/uplot/dist'),
    '/wasm/': join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'),
  };
  const server = createServer((req, res) => {
    // A request must never stop the server: any page the user visits can send one.
    try {
      route(req.url ?? '/', res);
    } catch (e) {
      if (!res.headersSent) send(res, 500, 'text/plain', `server error: ${(e as Error).message}`);
      else res.end();
    }
  });
  const route = (url: string, res: import('node:http').ServerResponse): void => {
    let path: string;
    try {
      path = decodeURIComponent(url.split('?')[0]);
    } catch {
      return void send(res, 400, 'text/plain', 'bad request: the path is not valid percent-encoding');
    }
    if (path === '/' || path === '/index.html') return void send(res, 200, TYPES['.html'], readFileSync(join(ROOT, 'demo-game/index.html')));
    if (path === '/editor.html') return void send(res, 200, TYPES['.html'], readFileSync(join(ROOT, 'demo-game/editor.html')));
    if (path in files) return void send(res, 200, TYPES['.js'], files[path]);
    for (const [prefix, dir] of Object.entries(statics)) {
      const name = path.slice(prefix.length);
      // One plain file name inside the folder (no '.' or '..', no separators): no way out.
      if (path.startsWith(prefix) && isPlainName(name) && isFile(join(dir, name))) {
        return void send(res, 200, TYPES[extname(name)] ?? 'application/octet-stream', readFileSync(join(dir, name)));
      }
    }
    if (path.startsWith('/assets/')) {
      const file = normalize(join(ROOT, path));
      // Only files inside assets/ (the separator matters: not assets-private/): no way out with '..'.
      if (file.startsWith(join(ROOT, 'assets') + sep) && isFile(file)) {
        return void send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
      }
    }
    send(res, 404, 'text/plain', 'not found');
  };
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${actual}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/** A file name with no path in it: letters, digits, '_', '-', '.', and not made of dots only. */
function isPlainName(name: string): boolean {
  return /^[\w.-]+$/.test(name) && !/^\.+$/.test(name);
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/**
 * Every page is cross-origin isolated (COOP/COEP): the training worker then
 * has SharedArrayBuffer and can run its updates on two threads. All of the
 * demo's files are its own, so require-corp blocks nothing.
 */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } as const;

function send(res: import('node:http').ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...ISOLATION }).end(body);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  serveDemo(port).then(
    ({ url }) => console.log(`Carrot Heist is running at ${url}  (training editor: ${url}editor.html; Ctrl-C to stop)`),
    (e: Error & { code?: string }) => {
      console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: try PORT=8081 npm start` : `could not start the demo: ${e.message}`);
      process.exit(1);
    },
  );
}
