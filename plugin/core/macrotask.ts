/**
 * Lets queued messages, signals and timers run (a real macrotask, unlike a
 * resolved promise). Not setTimeout: browsers clamp nested timeouts to 4 ms.
 * @example
 * ```ts
 * for (;;) { work(); await macrotask(); }
 * ```
 */
export function macrotask(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
