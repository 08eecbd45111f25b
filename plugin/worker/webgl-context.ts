/**
 * Tells when tfjs's WebGL context is lost (the GPU was reset, the browser
 * reclaimed it, or WEBGL_lose_context was called), so the trainer can move
 * to WASM.
 */
import * as tf from '../learn/tf.js';

/**
 * Calls `listener` when the active WebGL backend's context is lost.
 * @returns false when the active backend has no WebGL canvas to watch
 * @example
 * ```ts
 * await useBackend('webgl');
 * watchWebglContext(() => host.contextLost());
 * ```
 */
export function watchWebglContext(listener: () => void): boolean {
  const canvas = webglCanvas();
  if (!canvas) return false;
  canvas.addEventListener('webglcontextlost', (e) => {
    // Without preventDefault the context could never be restored.
    e.preventDefault();
    listener();
  });
  return true;
}

/** The WebGL rendering context of the active tfjs backend, if it is WebGL. */
export function webglContext(): WebGLRenderingContext | WebGL2RenderingContext | null {
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext | WebGL2RenderingContext } };
  return backend?.gpgpu?.gl ?? null;
}

function webglCanvas(): EventTarget | null {
  const gl = webglContext();
  return (gl?.canvas as EventTarget | undefined) ?? null;
}
