// Gateway close codes as data: code → reason → whether the client may reconnect (and resume).
// The session layer looks reasons up here; tests iterate the table.

export interface CloseCodeInfo {
  readonly code: number;
  readonly name: string;
  /** Sent as the WebSocket close reason (clients log it). */
  readonly reason: string;
  /** Discord's "client may reconnect" column. */
  readonly reconnect: boolean;
  /** Whether the session stays resumable after we close with this code. */
  readonly resumable: boolean;
}

function entry(code: number, name: string, reason: string, reconnect: boolean, resumable = reconnect): CloseCodeInfo {
  return { code, name, reason, reconnect, resumable };
}

export const CloseCodes = {
  UNKNOWN_ERROR: entry(4000, 'UNKNOWN_ERROR', 'Unknown error.', true),
  UNKNOWN_OPCODE: entry(4001, 'UNKNOWN_OPCODE', 'Unknown opcode.', true),
  DECODE_ERROR: entry(4002, 'DECODE_ERROR', 'Error while decoding payload.', true),
  NOT_AUTHENTICATED: entry(4003, 'NOT_AUTHENTICATED', 'Not authenticated.', true, false),
  AUTHENTICATION_FAILED: entry(4004, 'AUTHENTICATION_FAILED', 'Authentication failed.', false),
  ALREADY_AUTHENTICATED: entry(4005, 'ALREADY_AUTHENTICATED', 'Already authenticated.', true),
  INVALID_SEQ: entry(4007, 'INVALID_SEQ', 'Invalid seq.', true, false),
  RATE_LIMITED: entry(4008, 'RATE_LIMITED', 'Rate limited.', true),
  SESSION_TIMED_OUT: entry(4009, 'SESSION_TIMED_OUT', 'Session timed out.', true),
  INVALID_SHARD: entry(4010, 'INVALID_SHARD', 'Invalid shard.', false),
  SHARDING_REQUIRED: entry(4011, 'SHARDING_REQUIRED', 'Sharding required.', false),
  INVALID_API_VERSION: entry(4012, 'INVALID_API_VERSION', 'Invalid API version.', false),
  INVALID_INTENTS: entry(4013, 'INVALID_INTENTS', 'Invalid intent(s).', false),
  DISALLOWED_INTENTS: entry(4014, 'DISALLOWED_INTENTS', 'Disallowed intent(s).', false),
} as const satisfies Record<string, CloseCodeInfo>;

export type CloseCodeName = keyof typeof CloseCodes;

const BY_CODE = new Map<number, CloseCodeInfo>(Object.values(CloseCodes).map((info) => [info.code, info]));

export function closeCodeInfo(code: number): CloseCodeInfo | undefined {
  return BY_CODE.get(code);
}

/**
 * Whether a close (by either side) leaves the session resumable: a client closing with 1000 or
 * 1001 ends it; any other code, or a dropped connection (1005/1006), keeps it for the window.
 */
export function closeKeepsSession(code: number): boolean {
  if (code === 1000 || code === 1001) return false;
  return closeCodeInfo(code)?.resumable ?? true;
}
