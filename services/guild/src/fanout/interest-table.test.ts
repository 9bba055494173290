import { InterestTable } from './interest-table';

describe('fanout – interest table', () => {
  const g1 = 'g:100';
  const g2 = 'g:200';

  it('indexes an interest both per scope and per stream', () => {
    const table = new InterestTable<string>();
    expect(table.add('a', g1, 1n)).toBe(true);
    table.add('a', g1, 2n);
    table.add('b', g1, 3n);
    table.add('a', g2, 1n);
    expect(new Map([...table.streamsFor(g1)].map(([s, users]) => [s, [...users]]))).toEqual(
      new Map([['a', [1n, 2n]], ['b', [3n]]]),
    );
    expect([...table.scopesOf('a').keys()]).toEqual([g1, g2]);
    expect(table.streamCount).toBe(2);
  });

  it('treats a repeated add or remove of the same (stream, scope, user) as a no-op', () => {
    const table = new InterestTable<string>();
    expect(table.add('a', g1, 1n)).toBe(true);
    expect(table.add('a', g1, 1n)).toBe(false);
    expect([...table.streamsFor(g1).get('a')!]).toEqual([1n]);
    expect(table.remove('a', g1, 1n)).toBe(true);
    expect(table.remove('a', g1, 1n)).toBe(false);
    expect(table.remove('zzz', g1, 1n)).toBe(false);
    expect(table.streamsFor(g1).size).toBe(0);
    expect(table.streamCount).toBe(0);
  });

  it('keeps a scope for the other streams when one stream removes its last user there', () => {
    const table = new InterestTable<string>();
    table.add('a', g1, 1n);
    table.add('b', g1, 1n);
    table.remove('a', g1, 1n);
    expect([...table.streamsFor(g1).keys()]).toEqual(['b']);
    expect(table.hasInterest(g1, 1n)).toBe(true);
  });

  it('drops every interest of a removed stream and nothing of the others', () => {
    const table = new InterestTable<string>();
    table.add('a', g1, 1n);
    table.add('a', g2, 1n);
    table.add('b', g2, 2n);
    expect(table.removeStream('a')).toBe(true);
    expect(table.removeStream('a')).toBe(false);
    expect(table.streamsFor(g1).size).toBe(0);
    expect([...table.streamsFor(g2).keys()]).toEqual(['b']);
    expect(table.scopesOf('a').size).toBe(0);
    expect(table.hasInterest(g2, 1n)).toBe(false);
  });

  it('answers which users have interest in a scope on any stream', () => {
    const table = new InterestTable<string>();
    table.add('a', g1, 1n);
    table.add('b', g1, 1n);
    table.add('b', g1, 2n);
    table.add('b', g2, 3n);
    expect(table.usersWithInterest(g1)).toEqual(new Set([1n, 2n]));
    expect(table.usersWithInterest('g:999')).toEqual(new Set());
    expect(table.hasInterest(g1, 2n)).toBe(true);
    expect(table.hasInterest(g1, 3n)).toBe(false);
  });

  it('keeps active pairs per stream, only for pairs the stream is interested in', () => {
    const table = new InterestTable<string>();
    table.add('a', g1, 1n);
    table.add('b', g1, 1n);
    expect(table.activate('a', g1, 1n)).toBe(true);
    expect(table.activate('a', g1, 1n)).toBe(false);
    // No interest, no activation.
    expect(table.activate('a', g1, 2n)).toBe(false);
    expect([...table.activeUsers('a', g1)]).toEqual([1n]);
    expect(table.activeUsers('b', g1).size).toBe(0);
    expect(table.deactivate('a', g1, 1n)).toBe(true);
    expect(table.deactivate('a', g1, 1n)).toBe(false);
    expect(table.activeUsers('a', g1).size).toBe(0);
  });

  it('clears an activation with its interest or its stream', () => {
    const table = new InterestTable<string>();
    table.add('a', g1, 1n);
    table.add('a', g2, 1n);
    table.activate('a', g1, 1n);
    table.activate('a', g2, 1n);
    table.remove('a', g1, 1n);
    table.add('a', g1, 1n);
    expect(table.activeUsers('a', g1).size).toBe(0);
    table.removeStream('a');
    table.add('a', g2, 1n);
    expect(table.activeUsers('a', g2).size).toBe(0);
  });
});
