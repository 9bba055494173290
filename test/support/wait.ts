// Polls until a condition holds, for tests that wait on something asynchronous (frames arriving,
// a session changing state). Never a timing assertion: the bound only turns a hang into a failure.
export async function waitFor(condition: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
