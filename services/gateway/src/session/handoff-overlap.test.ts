import { jsonEncoding } from '../codec';
import type { HandedOverDispatch } from './ports';
import { overlap } from './session';

const at = (ids: number[]) => ids.map((id) => jsonEncoding.encodeDispatch('MESSAGE_CREATE', { id: String(id) }));
const origin = (ids: number[]): HandedOverDispatch[] => ids.map((id, i) => ({ seq: i + 1, t: 'MESSAGE_CREATE', dJson: JSON.stringify({ id: String(id) }) }));

describe('handoff overlap', () => {
  it('finds how many pending dispatches the origin already delivered', () => {
    expect(overlap(origin([1, 2, 3]), at([2, 3, 4]))).toBe(2);
    expect(overlap(origin([1, 2, 3]), at([4, 5]))).toBe(0);
    expect(overlap(origin([1, 2, 3]), at([1, 2, 3]))).toBe(3);
    expect(overlap(origin([]), at([1]))).toBe(0);
    expect(overlap(origin([1]), at([]))).toBe(0);
  });

  it('compares the event type too', () => {
    const pending = [jsonEncoding.encodeDispatch('MESSAGE_UPDATE', { id: '3' })];
    expect(overlap(origin([3]), pending)).toBe(0);
  });

  it('matches guild stream events by their event key, exactly, even when payloads repeat', () => {
    // Two identical typing events in a row (same user, same second): by content the origin's last
    // one would also match the taker's first, and one would be dropped; by event key it does not.
    const typing = { channel_id: '5', user_id: '7', timestamp: 1_700_000_000 };
    const keyed = (key: string) => Object.assign(jsonEncoding.encodeDispatch('TYPING_START', typing), { eventKey: key });
    const fromOrigin: HandedOverDispatch[] = [{ seq: 1, t: 'TYPING_START', dJson: JSON.stringify(typing), eventKey: '0:10:0' }];
    expect(overlap(fromOrigin, [keyed('0:11:0'), keyed('0:12:0')])).toBe(0);
    expect(overlap(fromOrigin, [keyed('0:10:0'), keyed('0:11:0')])).toBe(1);
  });
});
