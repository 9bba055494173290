// IDENTIFY and REST authentication: a token's signature, then its revocation cutoff, then the
// requested intents against the user's privileged-intent grant. Failures are GatewayAuthErrors
// carrying the close code (4004 / 4013 / 4014); any other error (database down) is a server fault.
import { missingPrivilegedIntents, validIntents } from '../protocol';
import type { AuthStore, UserAuthState } from './auth-store';
import { AuthenticationError, GatewayAuthError } from './errors';
import type { AuthenticationFailure } from './errors';
import type { TokenClaims, TokenSigner } from './token';

/** READY's `user` object (snowflakes as strings). */
export interface AuthenticatedUserPayload {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot: boolean;
  [field: string]: unknown;
}

export interface AuthenticatedUser {
  userId: bigint;
  /** The intents the session gets: the requested ones (every privileged bit among them is granted). */
  grantedIntents: number;
  /** The user's whole privileged grant (may exceed what was requested). */
  privilegedIntents: number;
  /** Unix seconds the token was issued at. */
  issuedAt: number;
  user: AuthenticatedUserPayload;
}

/** What the session layer calls at IDENTIFY. @throws GatewayAuthError { closeCode: 4004|4013|4014 } */
export interface IdentifyAuthenticator {
  authenticate(token: string, intents: number): Promise<AuthenticatedUser>;
}

export interface VerifiedToken extends TokenClaims {
  state: UserAuthState;
}

/** Token check without intents: REST (`/gateway/bot`) and RESUME. @throws AuthenticationError */
export interface TokenVerifier {
  verifyToken(token: string): Promise<VerifiedToken>;
}

export type TokenCheckOutcome = 'ok' | AuthenticationFailure;

export interface AuthenticatorOptions {
  /** The READY user object for a user id; default: a bot named after its id. */
  describeUser?: (userId: bigint) => AuthenticatedUserPayload;
  /** Told the outcome of every token check (metrics). Not called when the store fails. */
  onTokenCheck?: (outcome: TokenCheckOutcome) => void;
}

/** Clients may send the REST header form; discord.js strips it, others may not. */
function stripScheme(token: string): string {
  return token.startsWith('Bot ') ? token.slice(4) : token;
}

export function defaultUserPayload(userId: bigint): AuthenticatedUserPayload {
  const id = userId.toString();
  return { id, username: `user-${id}`, discriminator: '0', global_name: null, avatar: null, bot: true };
}

export class Authenticator implements IdentifyAuthenticator, TokenVerifier {
  readonly #describeUser: (userId: bigint) => AuthenticatedUserPayload;
  readonly #onTokenCheck: (outcome: TokenCheckOutcome) => void;

  constructor(
    private readonly signer: TokenSigner,
    private readonly store: AuthStore,
    options: AuthenticatorOptions = {},
  ) {
    this.#describeUser = options.describeUser ?? defaultUserPayload;
    this.#onTokenCheck = options.onTokenCheck ?? (() => {});
  }

  async verifyToken(token: string): Promise<VerifiedToken> {
    let claims: TokenClaims;
    try {
      if (typeof token !== 'string') throw new AuthenticationError('malformed');
      claims = this.signer.verify(stripScheme(token));
    } catch (error) {
      if (error instanceof AuthenticationError) this.#onTokenCheck(error.reason);
      throw error;
    }
    const state = await this.store.userAuth(claims.userId);
    const outcome: TokenCheckOutcome = claims.issuedAt < state.tokensValidAfter ? 'revoked' : 'ok';
    this.#onTokenCheck(outcome);
    if (outcome === 'revoked') throw new AuthenticationError('revoked');
    return { ...claims, state };
  }

  async authenticate(token: string, intents: number): Promise<AuthenticatedUser> {
    // The token first: an unauthenticated caller learns nothing about intents.
    const { userId, issuedAt, state } = await this.verifyToken(token);
    if (!validIntents(intents)) throw new GatewayAuthError(4013, `invalid intents ${String(intents)}`);
    const missing = missingPrivilegedIntents(intents, state.privilegedIntents);
    if (missing !== 0) throw new GatewayAuthError(4014, `privileged intents not granted: ${missing}`);
    return { userId, grantedIntents: intents, privilegedIntents: state.privilegedIntents, issuedAt, user: this.#describeUser(userId) };
  }
}
