// A node:test reporter that counts leaf tests and writes one JSON line of
// totals; test/run.mjs reads it to print the final "N passed, N failed".
export default async function* totals(source) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    // Suites (describe) and file wrappers are containers; count only leaf tests,
    // but a container that failed on its own (e.g. a file that threw on import) counts once.
    const isSuite = d.details?.type === 'suite';
    if (event.type === 'test:pass') {
      if (!isSuite) passed++;
    } else {
      const err = d.details?.error;
      const own = err && err.failureType !== 'subtestsFailed';
      if (!isSuite || own) {
        failed++;
        failures.push(`${d.file ?? ''} :: ${d.name}`);
      }
    }
  }
  yield `${JSON.stringify({ passed, failed, failures })}\n`;
}
