import { getEventListeners } from 'node:events';
import { onAbort } from './abort-registry';

describe('onAbort', () => {
  it('runs each callback once when the signal aborts, in registration order', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    onAbort(controller.signal, () => calls.push('a'));
    onAbort(controller.signal, () => calls.push('b'));
    expect(calls).toEqual([]);
    controller.abort();
    controller.abort();
    expect(calls).toEqual(['a', 'b']);
  });

  it('does not run a disposed callback, and disposing twice or after the abort is harmless', () => {
    const controller = new AbortController();
    const kept = jest.fn();
    const dropped = jest.fn();
    onAbort(controller.signal, kept);
    const dispose = onAbort(controller.signal, dropped);
    dispose();
    dispose();
    controller.abort();
    expect(dropped).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
    expect(() => dispose()).not.toThrow();
  });

  it('runs the callback at once on an already aborted signal', () => {
    const controller = new AbortController();
    controller.abort();
    const callback = jest.fn();
    const dispose = onAbort(controller.signal, callback);
    expect(callback).toHaveBeenCalledTimes(1);
    dispose();
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('keeps one listener on the signal however many callbacks come and go', () => {
    const controller = new AbortController();
    const callbacks = Array.from({ length: 10_000 }, () => jest.fn());
    const disposers = callbacks.map((callback) => onAbort(controller.signal, callback));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (let i = 0; i < disposers.length; i += 2) disposers[i]!();
    controller.abort();
    callbacks.forEach((callback, i) => expect(callback).toHaveBeenCalledTimes(i % 2 === 0 ? 0 : 1));
  });

  it('takes its listener off the signal once every callback is disposed, and puts it back for the next', () => {
    const controller = new AbortController();
    const disposers = [onAbort(controller.signal, jest.fn()), onAbort(controller.signal, jest.fn())];
    disposers.forEach((dispose) => dispose());
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const later = jest.fn();
    onAbort(controller.signal, later);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(later).toHaveBeenCalledTimes(1);
  });

  it('runs the same function registered twice twice, and disposes one registration at a time', () => {
    const controller = new AbortController();
    const callback = jest.fn();
    const first = onAbort(controller.signal, callback);
    onAbort(controller.signal, callback);
    onAbort(controller.signal, callback);
    first();
    controller.abort();
    expect(callback).toHaveBeenCalledTimes(2);
  });

  it('skips a callback an earlier one disposed, and runs one registered during the abort at once', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    let disposeLater = (): void => undefined;
    onAbort(controller.signal, () => {
      calls.push('first');
      disposeLater();
      onAbort(controller.signal, () => calls.push('registered meanwhile'));
    });
    disposeLater = onAbort(controller.signal, () => calls.push('disposed'));
    controller.abort();
    expect(calls).toEqual(['first', 'registered meanwhile']);
  });

  it('keeps the callbacks of different signals apart', () => {
    const one = new AbortController();
    const two = new AbortController();
    const onOne = jest.fn();
    const onTwo = jest.fn();
    onAbort(one.signal, onOne);
    onAbort(two.signal, onTwo);
    one.abort();
    expect(onOne).toHaveBeenCalledTimes(1);
    expect(onTwo).not.toHaveBeenCalled();
  });
});
