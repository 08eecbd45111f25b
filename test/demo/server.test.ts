// The demo server (npm start) answers hostile requests with 400/404 and
// keeps serving: any web page the user visits can send it a request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { serveDemo } from '../../demo-game/server.js';

/** A raw GET: fetch() would normalise the path ('..' and '.') before sending it. */
function get(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: hostname === 'localhost' ? '127.0.0.1' : hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('demo server: malformed and escaping paths get 400/404, and the server keeps serving', async () => {
  // A sibling of assets/ whose name starts with "assets": a prefix check without the separator would serve it.
  const sibling = `assets-probe-${process.pid}`;
  mkdirSync(sibling, { recursive: true });
  writeFileSync(`${sibling}/secret.txt`, 'secret');
  const server = await serveDemo(0);
  try {
    assert.equal((await get(server.url, '/%')).status, 400);
    assert.equal((await get(server.url, '/%E0%A4%A')).status, 400);
    for (const path of ['/vendor/..', '/vendor/%2e%2e', '/vendor/.', '/wasm/.', '/wasm/..', '/wasm/%2e', `/assets/../${sibling}/secret.txt`, `/assets/%2e%2e/${sibling}/secret.txt`, '/assets/../package.json', '/assets/', '/assets/carrot-heist']) {
      const r = await get(server.url, path);
      assert.equal(r.status, 404, `${path}: ${r.status} ${r.body.slice(0, 80)}`);
    }
    // Still up, and still serving what it should.
    assert.equal((await get(server.url, '/')).status, 200);
    assert.equal((await get(server.url, '/assets/carrot-heist/policy.json')).status, 200);
    assert.equal((await get(server.url, '/vendor/uPlot.iife.min.js')).status, 200);
  } finally {
    await server.close();
    rmSync(sibling, { recursive: true, force: true });
  }
});
