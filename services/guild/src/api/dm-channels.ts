// CreateDmChannel: a DM between two users (the existing one is returned) or a group DM of 3–10.
// CHANNEL_CREATE goes to each recipient's user scope.
import type { guildV1 } from '@switchboard/proto';
import { InvalidArgumentError, NotFoundError } from '@switchboard/runtime';
import { userScope } from '../events';
import { channelPayload } from './payloads';
import { toChannel } from './proto-objects';
import type { ChannelRow } from './rows';
import * as store from './store';
import * as v from './validate';
import { lockedWrite } from './write-path';
import type { GuildApiDeps } from './write-path';

export function dmChannelHandlers(deps: GuildApiDeps) {
  return {
    async createDmChannel(request: guildV1.CreateDmChannelRequest) {
      const recipients = v.distinctSnowflakes(request.recipientIds, 'recipient_ids');
      if (recipients.length < 2 || recipients.length > v.MAX_GROUP_DM_RECIPIENTS) {
        throw new InvalidArgumentError('recipient_ids', `must hold 2–${v.MAX_GROUP_DM_RECIPIENTS} users, got ${recipients.length}`);
      }
      const isDm = recipients.length === 2;
      const name = request.name === '' || isDm ? null : v.name(request.name);
      const type = isDm ? v.ChannelType.DM : v.ChannelType.GROUP_DM;
      const channel: ChannelRow = { id: deps.ids.next(), guild_id: null, type, name, topic: null, parent_id: null, position: 0, nsfw: false };
      // A DM's find-or-create is serialized on the lower user id, so two concurrent calls for
      // one pair cannot both create; a group DM is always new and locks its own id.
      const lockId = isDm ? (recipients[0]! < recipients[1]! ? recipients[0]! : recipients[1]!) : channel.id;
      const { result, eventId } = await lockedWrite(deps, lockId, async (tx) => {
        const users = await store.getUsers(tx, recipients);
        const unknown = recipients.filter((id) => !users.some((u) => u.id === id));
        if (unknown.length > 0) throw new NotFoundError(`unknown users ${unknown.join(', ')} (recipient_ids)`);
        const existing = isDm ? await store.findDm(tx, recipients[0]!, recipients[1]!) : undefined;
        // Discord returns an existing DM without an event.
        if (existing) return { result: await store.withExtras(tx, existing), events: [] };
        await store.saveChannel(tx, channel);
        await store.insertRecipients(tx, channel.id, recipients);
        const full = await store.withExtras(tx, channel);
        const events = recipients.map((userId) => ({ scope: userScope(userId), type: 'CHANNEL_CREATE', payload: channelPayload(full, userId) }));
        return { result: full, events };
      });
      return { channel: toChannel(result), eventId };
    },
  };
}
