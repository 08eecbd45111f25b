// Benchmark page: starts the update-timing worker and hands its answer to the test.
(globalThis as { runUpdates?: (o: object) => Promise<unknown> }).runUpdates = (request: object) =>
  new Promise((resolve) => {
    const worker = new Worker('/update-worker.js', { type: 'module' });
    worker.onmessage = (event) => {
      worker.terminate();
      resolve(event.data);
    };
    worker.onerror = (event) => resolve({ ok: false, error: event.message, updates: [] });
    worker.postMessage(request);
  });
(globalThis as { pageReady?: boolean }).pageReady = true;
