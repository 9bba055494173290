import { AsyncQueue } from './async-queue';

async function drain<T>(queue: AsyncQueue<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of queue) out.push(item);
  return out;
}

describe('AsyncQueue', () => {
  it('yields items pushed before and after the consumer started waiting, in order', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    const drained = drain(queue);
    await Promise.resolve();
    queue.push(2);
    queue.push(3);
    queue.end();
    await expect(drained).resolves.toEqual([1, 2, 3]);
  });

  it('ignores pushes after end and finishes a waiting consumer', async () => {
    const queue = new AsyncQueue<string>();
    const drained = drain(queue);
    await Promise.resolve();
    queue.end();
    expect(queue.push('late')).toBe(false);
    await expect(drained).resolves.toEqual([]);
  });

  it('throws the failure to the consumer after the queued items', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.fail(new Error('stream broke'));
    const seen: number[] = [];
    await expect((async () => {
      for await (const item of queue) seen.push(item);
    })()).rejects.toThrow('stream broke');
    expect(seen).toEqual([1]);
  });

  it('rejects a consumer that is already waiting when the queue fails', async () => {
    const queue = new AsyncQueue<number>();
    const waiting = queue.next();
    queue.fail(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
  });

  it('stops yielding when the consumer breaks out of its loop', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.push(2);
    for await (const item of queue) {
      expect(item).toBe(1);
      break;
    }
    expect(queue.ended).toBe(true);
    expect(queue.size).toBe(0);
  });
});
