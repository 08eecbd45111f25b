/**
 * The browser side of the backend choice (plugin/worker/backend-choice.ts):
 * reading the WebGL renderer without starting tfjs's WebGL backend, and
 * remembering choices in IndexedDB. No tfjs here; both work (and do nothing)
 * where OffscreenCanvas or IndexedDB do not exist.
 */
import type { BackendChoiceStore, RememberedChoice } from './backend-choice.js';
import { IdbObjectStore } from './idb.js';

/**
 * The unmasked renderer of a throwaway WebGL context: `WEBGL_debug_renderer_info`
 * where the browser offers it (Chromium), else `gl.RENDERER` (Firefox already
 * reports a sanitised real name there). The context is released at once.
 * @returns the renderer, '' when the context does not say, null when no WebGL
 *   context can be made here (no OffscreenCanvas, WebGL blocked)
 * @example
 * ```ts
 * const renderer = probeWebglRenderer(); // 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) ...), SwiftShader driver)'
 * ```
 */
export function probeWebglRenderer(): string | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  let gl: WebGL2RenderingContext | WebGLRenderingContext | null = null;
  try {
    const canvas = new OffscreenCanvas(1, 1);
    // The same kind of context tfjs would make: webgl2 first, webgl 1 otherwise.
    gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGL2RenderingContext | WebGLRenderingContext | null;
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    return typeof renderer === 'string' ? renderer : '';
  } catch {
    return null;
  } finally {
    // Do not hold a context: browsers cap how many live at once, and tfjs wants its own.
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  }
}

const STORE = 'choices';

/**
 * Backend choices in their own IndexedDB database (`phaser-qmix-backend`,
 * one record per renderer + update shape), apart from the checkpoints so
 * neither database's version has to know about the other.
 * @example
 * ```ts
 * const store = typeof indexedDB === 'undefined' ? null : new IdbChoiceStore();
 * const host = new TrainerHost(post, { store: checkpoints, useBackend, choiceStore: store });
 * ```
 */
export class IdbChoiceStore implements BackendChoiceStore {
  private readonly store: IdbObjectStore;

  /**
   * @param dbName database name
   * @param factory the IndexedDB factory; the browser's by default
   */
  constructor(
    readonly dbName = 'phaser-qmix-backend',
    factory: IDBFactory | undefined = globalThis.indexedDB,
  ) {
    // A failed open is not kept: the next session may be allowed storage.
    this.store = new IdbObjectStore({ dbName, storeName: STORE, keyPath: 'key', factory, error: (m) => new Error(m), retryFailedOpen: true });
  }

  async get(key: string): Promise<RememberedChoice | undefined> {
    const r = (await this.store.request('readonly', (s) => s.get(key))) as { value?: RememberedChoice } | undefined;
    return r?.value;
  }

  async put(key: string, value: RememberedChoice): Promise<void> {
    await this.store.request('readwrite', (s) => s.put({ key, value }));
  }
}
