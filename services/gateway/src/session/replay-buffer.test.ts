import type { EncodedDispatch } from '../codec';
import { ReplayBuffer } from './replay-buffer';

const dispatch = (bytes: number): EncodedDispatch => ({ t: 'X', binary: false, sharedBytes: bytes, forSeq: () => [], payloadJson: () => 'null' });

describe('gateway replay buffer', () => {
  it('keeps at most maxEvents, evicting the oldest', () => {
    const buffer = new ReplayBuffer({ maxEvents: 3, maxBytes: 1e9 });
    for (let seq = 1; seq <= 5; seq += 1) buffer.push(seq, dispatch(10));
    expect(buffer.length).toBe(3);
    expect(buffer.after(1)).toEqual({ kind: 'too-old' });
    expect(buffer.after(2)).toMatchObject({ kind: 'ok', firstSeq: 3 });
  });

  it('keeps at most maxBytes of shared dispatch bytes', () => {
    const buffer = new ReplayBuffer({ maxEvents: 100, maxBytes: 250 });
    for (let seq = 1; seq <= 5; seq += 1) expect(buffer.push(seq, dispatch(100))).toBe(seq <= 2);
    expect(buffer.bytes).toBeLessThanOrEqual(250);
    expect(buffer.length).toBe(2);
  });

  it('drops what the client confirmed with a heartbeat', () => {
    const buffer = new ReplayBuffer({ maxEvents: 100, maxBytes: 1e9 });
    for (let seq = 1; seq <= 4; seq += 1) buffer.push(seq, dispatch(10));
    buffer.acknowledge(3);
    expect(buffer.length).toBe(1);
    expect(buffer.bytes).toBe(10);
    expect(buffer.after(3)).toMatchObject({ kind: 'ok', firstSeq: 4 });
    expect(buffer.after(4)).toEqual({ kind: 'ok', dispatches: [], firstSeq: 5 });
    expect(buffer.after(5)).toEqual({ kind: 'future' });
  });

  it('rejects a non-contiguous seq', () => {
    const buffer = new ReplayBuffer({ maxEvents: 10, maxBytes: 1e9 });
    expect(() => buffer.push(2, dispatch(1))).toThrow(RangeError);
  });
});
