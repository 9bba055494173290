// Ephemeral channel interactions: TriggerTyping (TYPING_START) and reactions
// (MESSAGE_REACTION_ADD / MESSAGE_REACTION_REMOVE). Like messages, reactions are not stored here.
import type { guildV1 } from '@switchboard/proto';
import { Need } from './access';
import { channelEvents, channelWrite, guildIdField, requireParticipant } from './message-channel';
import { memberPayload } from './payloads';
import * as v from './validate';
import type { GuildApiDeps } from './write-path';

export function interactionHandlers(deps: GuildApiDeps) {
  async function react(request: guildV1.ReactionRequest, type: 'MESSAGE_REACTION_ADD' | 'MESSAGE_REACTION_REMOVE') {
    const userId = v.snowflake(request.userId, 'user_id');
    const channelId = v.snowflake(request.channelId, 'channel_id');
    const messageId = v.snowflake(request.messageId, 'message_id');
    const emoji = v.emoji(request.emoji);
    const { eventId } = await channelWrite(deps, channelId, async (tx, target) => {
      const member = await requireParticipant(tx, target, userId, Need.REACT);
      const payload = {
        user_id: userId.toString(),
        channel_id: channelId.toString(),
        message_id: messageId.toString(),
        ...guildIdField(target),
        // Discord sends the member (with its user) on adds only.
        ...(member && type === 'MESSAGE_REACTION_ADD' ? { member: memberPayload(member) } : {}),
        emoji,
        burst: false,
        type: 0,
      };
      return { result: undefined, events: channelEvents(target, type, payload) };
    });
    return { eventId };
  }

  return {
    async triggerTyping(request: guildV1.TriggerTypingRequest) {
      const userId = v.snowflake(request.userId, 'user_id');
      const channelId = v.snowflake(request.channelId, 'channel_id');
      const { eventId } = await channelWrite(deps, channelId, async (tx, target) => {
        const member = await requireParticipant(tx, target, userId, Need.SEND);
        const payload = {
          channel_id: channelId.toString(),
          ...guildIdField(target),
          user_id: userId.toString(),
          timestamp: Math.floor(Date.now() / 1000),
          ...(member ? { member: memberPayload(member) } : {}),
        };
        return { result: undefined, events: channelEvents(target, 'TYPING_START', payload) };
      });
      return { eventId };
    },

    addReaction: (request: guildV1.ReactionRequest) => react(request, 'MESSAGE_REACTION_ADD'),
    removeReaction: (request: guildV1.ReactionRequest) => react(request, 'MESSAGE_REACTION_REMOVE'),
  };
}
