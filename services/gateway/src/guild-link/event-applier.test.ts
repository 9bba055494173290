// The applier on its own (a recording registry): dedupe and acks per partition, and the
// one-turn hold that lets a READY awaiting a sync register its session before later events apply.
import { create } from '@bufbuild/protobuf';
import { guildV1 } from '@switchboard/proto';
import type { SessionRegistry } from '../session';
import { EventApplier } from './event-applier';
import { guildEvent } from './fake-guild-server';

const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined };
const GUILD = '41771983423143937';

function rig() {
  const dispatched: string[] = [];
  const acks: [number, number, bigint][] = [];
  const registry = {
    dispatchToGuild: (_guild: string, _t: string, d: { id: string }) => (dispatched.push(d.id), 1),
  } as unknown as SessionRegistry;
  const applier = new EventApplier({ registry, sync: async () => undefined, logger: silent });
  const origin = { ack: (call: number, partition: number, offset: bigint) => acks.push([call, partition, offset]) };
  const receive = (id: string, partition: number, offset: number, call = 1) =>
    applier.receive(create(guildV1.FanoutEventSchema, guildEvent(GUILD, 'MESSAGE_CREATE', { id }, partition, offset)), origin, call);
  return { applier, dispatched, acks, receive };
}

describe('event applier', () => {
  it('applies each partition offset once, acking duplicates and stale offsets on their own call', () => {
    const { applier, dispatched, acks, receive } = rig();
    receive('a', 0, 5, 1);
    receive('a-again', 0, 5, 2);
    receive('stale', 0, 4, 2);
    receive('other-partition', 1, 4, 2);
    receive('b', 0, 6, 2);
    expect(dispatched).toEqual(['a', 'other-partition', 'b']);
    expect(acks).toEqual([[1, 0, 5n], [2, 0, 5n], [2, 0, 4n], [2, 1, 4n], [2, 0, 6n]]);
    expect(applier.appliedOffset(0)).toBe(6n);
  });

  it('acks and skips an event whose payload is not JSON, and goes on', () => {
    const { dispatched, acks, applier } = rig();
    const bad = create(guildV1.FanoutEventSchema, { ...guildEvent(GUILD, 'MESSAGE_CREATE', {}, 0, 1), payloadJson: '{nope' });
    applier.receive(bad, { ack: (call, partition, offset) => acks.push([call, partition, offset]) }, 1);
    expect(acks).toEqual([[1, 0, 1n]]);
    expect(dispatched).toEqual([]);
  });

  it('holds events received after an InterestApplied until the next turn, past the microtasks', async () => {
    const { applier, dispatched, receive } = rig();
    applier.holdUntilNextTurn();
    receive('held', 0, 1);
    for (let i = 0; i < 50; i += 1) await Promise.resolve();
    expect(dispatched).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(dispatched).toEqual(['held']);
    receive('direct', 0, 2);
    expect(dispatched).toEqual(['held', 'direct']);
  });
});
