import pino from 'pino';
import { Lifecycle } from './lifecycle';

const logger = pino({ level: 'silent' });

describe('lifecycle', () => {
  it('runs shutdown steps once, last registered first', async () => {
    const order: string[] = [];
    const lifecycle = new Lifecycle({ logger, graceMs: 1_000 });
    lifecycle.onShutdown('database', () => order.push('database'));
    lifecycle.onShutdown('grpc server', async () => order.push('grpc server'));
    await Promise.all([lifecycle.shutdown('SIGTERM'), lifecycle.shutdown('again')]);
    expect(order).toEqual(['grpc server', 'database']);
    expect(lifecycle.state).toBe('stopped');
  });

  it('goes on after a failing step', async () => {
    const order: string[] = [];
    const lifecycle = new Lifecycle({ logger, graceMs: 1_000 });
    lifecycle.onShutdown('b', () => order.push('b'));
    lifecycle.onShutdown('a', () => {
      throw new Error('boom');
    });
    await lifecycle.shutdown('test');
    expect(order).toEqual(['b']);
  });

  it('abandons a stuck step when the grace period ends', async () => {
    jest.useFakeTimers();
    try {
      const lifecycle = new Lifecycle({ logger, graceMs: 5_000 });
      const ran: string[] = [];
      lifecycle.onShutdown('after', () => ran.push('after'));
      lifecycle.onShutdown('stuck', () => new Promise(() => undefined));
      const done = lifecycle.shutdown('test');
      await jest.advanceTimersByTimeAsync(5_001);
      await done;
      expect(ran).toEqual([]);
      expect(lifecycle.state).toBe('stopped');
    } finally {
      jest.useRealTimers();
    }
  });
});
