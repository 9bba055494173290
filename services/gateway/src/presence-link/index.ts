export { PresencePublisher, PRESENCE_SESSIONS_TOPIC, reannounceOnRenewal } from './presence-publisher';
export type { PresencePublisherOptions } from './presence-publisher';
export { GatewayLease, PRESENCE_LEASES_TOPIC, DEFAULT_LEASE_INTERVAL_MS, DEFAULT_LEASE_TTL_MS } from './gateway-lease';
export type { GatewayLeaseOptions } from './gateway-lease';
