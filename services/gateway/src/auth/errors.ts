// Typed authentication failures, caught by IDENTIFY/RESUME handling and by the REST handler.
// `GatewayAuthError` carries the gateway close code the session layer closes with;
// `AuthenticationError` (a bad token, close 4004 / HTTP 401) also says why, for logs and metrics
// only: the client is never told which check failed.
import { CloseCodes } from '../protocol';

export type GatewayAuthCloseCode = 4004 | 4013 | 4014;

/** An IDENTIFY refused: close with `closeCode` (4004 bad token, 4013 invalid intents, 4014 not granted). */
export class GatewayAuthError extends Error {
  override readonly name: string = 'GatewayAuthError';
  constructor(
    readonly closeCode: GatewayAuthCloseCode,
    message: string,
  ) {
    super(message);
  }
}

export type AuthenticationFailure = 'malformed' | 'bad-signature' | 'revoked';

/** A token that authenticates no one: close 4004, HTTP 401. */
export class AuthenticationError extends GatewayAuthError {
  override readonly name: string = 'AuthenticationError';
  constructor(
    readonly reason: AuthenticationFailure,
    message = `token ${reason}`,
  ) {
    super(CloseCodes.AUTHENTICATION_FAILED.code as 4004, message);
  }
}
