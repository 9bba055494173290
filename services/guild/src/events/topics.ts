// The guild service's event log topics. Every guild event and every user-addressed event goes to
// one topic, keyed by its scope, so the owner of a partition applies a scope's events in order.
import type { TopicSpec } from '@switchboard/runtime';

export const GUILD_EVENTS_TOPIC = 'switchboard.guild.events';
/** Push requests for users without a session (the push service consumes it; keyed by user id). */
export const PUSH_REQUESTS_TOPIC = 'switchboard.push.requests';

export function guildTopicSpecs(partitions: number, names: { events?: string; push?: string } = {}): TopicSpec[] {
  return [
    { name: names.events ?? GUILD_EVENTS_TOPIC, partitions, deadLetter: true, config: { 'retention.ms': String(7 * 24 * 3600 * 1000) } },
    { name: names.push ?? PUSH_REQUESTS_TOPIC, partitions, deadLetter: true },
  ];
}
