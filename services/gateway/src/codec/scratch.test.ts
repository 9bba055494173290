import { Scratch } from './scratch';

describe('Scratch', () => {
  it('joins pieces into a view, or returns a single piece as is', () => {
    const scratch = new Scratch(8);
    const one = Buffer.from('abc');
    expect(scratch.join([one])).toBe(one);
    expect(scratch.join([Buffer.from('ab'), Buffer.from('cdefghij'), Buffer.from('k')]).toString()).toBe('abcdefghijk');
  });

  it('grows keeping the bytes it was asked to keep', () => {
    const scratch = new Scratch(4);
    scratch.buffer.write('wxyz');
    const grown = scratch.grow(10, 3);
    expect(grown.length).toBeGreaterThanOrEqual(10);
    expect(grown.subarray(0, 3).toString()).toBe('wxy');
    expect(scratch.grow(5)).toBe(grown);
  });

  it('copies out exactly sized buffers and drops a grown buffer above 1 MiB', () => {
    const scratch = new Scratch(16);
    scratch.buffer.write('hello');
    const out = scratch.copyOut(5);
    scratch.buffer.write('XXXXX');
    expect(out.toString()).toBe('hello');
    scratch.grow(2 * 1024 * 1024);
    scratch.copyOut(0);
    expect(scratch.buffer.length).toBe(16);
  });
});
