import {
  bigintReplacer,
  deconstructSnowflake,
  InvalidSnowflakeError,
  parseSnowflake,
  snowflakeAt,
  SnowflakeGenerator,
} from './snowflake';

describe('snowflake', () => {
  it('decodes a snowflake from the Discord documentation', () => {
    // docs: 175928847299117063 → 2016-04-30T11:18:25.796Z, worker 1, process 0, increment 7
    const parts = deconstructSnowflake(175928847299117063n);
    expect(new Date(parts.timestamp).toISOString()).toBe('2016-04-30T11:18:25.796Z');
    expect(parts).toMatchObject({ workerId: 1, processId: 0, increment: 7 });
  });

  it('encodes time, worker and process and increments within a millisecond', () => {
    const generator = new SnowflakeGenerator({ workerId: 3, processId: 17, now: () => 1_700_000_000_000 });
    const first = generator.next();
    const second = generator.next();
    expect(second - first).toBe(1n);
    expect(deconstructSnowflake(first)).toEqual({ timestamp: 1_700_000_000_000, workerId: 3, processId: 17, increment: 0 });
  });

  it('stays strictly increasing past 4096 ids in one millisecond and when the clock steps back', () => {
    let now = 1_700_000_000_000;
    const generator = new SnowflakeGenerator({ workerId: 0, processId: 0, now: () => now });
    let previous = generator.next();
    for (let i = 0; i < 10_000; i += 1) {
      if (i === 5000) now -= 50; // NTP step backwards
      const id = generator.next();
      expect(id > previous).toBe(true);
      previous = id;
    }
  });

  it('rejects worker and process ids that do not fit in 5 bits', () => {
    expect(() => new SnowflakeGenerator({ workerId: 32, processId: 0 })).toThrow(RangeError);
    expect(() => new SnowflakeGenerator({ workerId: 0, processId: -1 })).toThrow(RangeError);
  });

  it('parses the wire form and refuses numbers, negatives and values over 64 bits', () => {
    expect(parseSnowflake('18446744073709551615')).toBe(18446744073709551615n);
    for (const bad of [123, '-1', '1e3', '', '18446744073709551616', ' 1', null]) {
      expect(() => parseSnowflake(bad)).toThrow(InvalidSnowflakeError);
    }
  });

  it('writes bigint as strings in JSON and orders ids by time', () => {
    expect(JSON.stringify({ id: 175928847299117063n }, bigintReplacer)).toBe('{"id":"175928847299117063"}');
    expect(snowflakeAt(Date.UTC(2020, 0, 1)) < snowflakeAt(Date.UTC(2021, 0, 1))).toBe(true);
  });
});
