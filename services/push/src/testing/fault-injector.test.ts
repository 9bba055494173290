import { FaultInjector } from './fault-injector';

describe('FaultInjector', () => {
  test('the first matching rule decides, by token, and stops after its count', () => {
    const faults = new FaultInjector([
      { kind: 'unregistered', tokens: ['dead'] },
      { kind: 'rate-limited', times: 2, retryAfter: 5 },
    ]);
    expect(faults.decide('dead')).toEqual({ kind: 'unregistered' });
    expect(faults.decide('a')).toEqual({ kind: 'rate-limited', retryAfter: '5' });
    expect(faults.decide('b')).toEqual({ kind: 'rate-limited', retryAfter: '5' });
    expect(faults.decide('c')).toBeUndefined();
    expect(faults.count('rate-limited')).toBe(2);
  });

  test('fires with the given probability', () => {
    const draws = [0.2, 0.7, 0.29, 0.3];
    const faults = new FaultInjector([{ kind: 'internal', probability: 0.3 }], () => draws.shift()!);
    expect([faults.decide('t'), faults.decide('t'), faults.decide('t'), faults.decide('t')].map((f) => f?.kind)).toEqual([
      'internal',
      undefined,
      'internal',
      undefined,
    ]);
  });

  test('refuses a probability outside 0..1', () => {
    expect(() => new FaultInjector([{ kind: 'internal', probability: 2 }])).toThrow(/probability/);
  });
});
