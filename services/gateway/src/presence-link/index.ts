export { PresencePublisher, PRESENCE_SESSIONS_TOPIC } from './presence-publisher';
export type { PresencePublisherOptions } from './presence-publisher';
