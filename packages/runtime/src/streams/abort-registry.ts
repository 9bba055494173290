// Abort callbacks on long-lived shared signals (a subscription's abandon signal, a pipeline's stop
// signal) that thousands of in-flight records listen to at once. Node's EventTarget scans its
// listener list on every addEventListener/removeEventListener, so a listener per record makes each
// add and remove O(records in flight): quadratic under load. Here a signal has ONE listener while
// it has callbacks, and they live in a Set: O(1) to add and to remove.

type Callback = () => void;

interface Registry {
  readonly callbacks: Set<Callback>;
  /** The one 'abort' listener on the signal. */
  readonly listener: () => void;
}

/** The registry of each signal that has callbacks; the entry goes with the signal. */
const registries = new WeakMap<AbortSignal, Registry>();

const noop: Callback = () => undefined;

function registryOf(signal: AbortSignal): Registry {
  let registry = registries.get(signal);
  if (!registry) {
    const callbacks = new Set<Callback>();
    registry = { callbacks, listener: () => runAll(signal, callbacks) };
    signal.addEventListener('abort', registry.listener, { once: true });
    registries.set(signal, registry);
  }
  return registry;
}

function runAll(signal: AbortSignal, callbacks: Set<Callback>): void {
  registries.delete(signal);
  // In registration order. A callback disposed by an earlier one is skipped (as EventTarget
  // does); one registered meanwhile runs at once (the signal is already aborted).
  for (const callback of callbacks) {
    callbacks.delete(callback);
    try {
      callback();
    } catch (err) {
      // Like a throwing EventTarget listener: reported as uncaught, the other callbacks still run.
      process.nextTick(() => {
        throw err;
      });
    }
  }
}

/**
 * Calls `callback` once when `signal` aborts (at once if it already has). Returns the disposer,
 * which forgets the callback; call it when the wait is over so nothing piles up on the signal.
 * Cheap to add and to dispose however many callbacks the signal holds.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return noop;
  }
  const registry = registryOf(signal);
  const { callbacks } = registry;
  // The same function twice must run twice and be disposed once at a time: wrap the duplicate.
  const entry = callbacks.has(callback) ? () => callback() : callback;
  callbacks.add(entry);
  return () => {
    // The last one out removes the listener: Node keeps some signals (AbortSignal.any,
    // AbortSignal.timeout) alive while they have one.
    if (callbacks.delete(entry) && callbacks.size === 0 && registries.get(signal) === registry) {
      registries.delete(signal);
      signal.removeEventListener('abort', registry.listener);
    }
  };
}
