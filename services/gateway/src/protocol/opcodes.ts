// Gateway v10 opcodes (Discord developer docs, "Opcodes and Status Codes").
export const GatewayOpcode = {
  DISPATCH: 0,
  HEARTBEAT: 1,
  IDENTIFY: 2,
  PRESENCE_UPDATE: 3,
  VOICE_STATE_UPDATE: 4,
  RESUME: 6,
  RECONNECT: 7,
  REQUEST_GUILD_MEMBERS: 8,
  INVALID_SESSION: 9,
  HELLO: 10,
  HEARTBEAT_ACK: 11,
  /** Lazy guild / member-list subscription used by first-party clients (undocumented). */
  GUILD_SUBSCRIPTIONS: 14,
} as const;

export type GatewayOpcode = (typeof GatewayOpcode)[keyof typeof GatewayOpcode];

/** Opcodes a client may send; anything else closes with 4001. */
export const CLIENT_OPCODES: ReadonlySet<number> = new Set([
  GatewayOpcode.HEARTBEAT,
  GatewayOpcode.IDENTIFY,
  GatewayOpcode.PRESENCE_UPDATE,
  GatewayOpcode.VOICE_STATE_UPDATE,
  GatewayOpcode.RESUME,
  GatewayOpcode.REQUEST_GUILD_MEMBERS,
  GatewayOpcode.GUILD_SUBSCRIPTIONS,
]);

/** Opcodes allowed before the session is identified (others close with 4003). */
export const UNAUTHENTICATED_OPCODES: ReadonlySet<number> = new Set([
  GatewayOpcode.HEARTBEAT,
  GatewayOpcode.IDENTIFY,
  GatewayOpcode.RESUME,
]);

/** The envelope of every frame: `s` and `t` are non-null only for dispatches. */
export interface GatewayPayload<D = unknown> {
  op: number;
  d: D;
  s?: number | null;
  t?: string | null;
}
