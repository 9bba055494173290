// The APNs provider authentication token: an ES256 JWT (header kid = key id, claims iss = team id,
// iat) reused for every request and renewed every `renewMinutes`. APNs refuses a token older than an
// hour (ExpiredProviderToken) and one renewed more often than every 20 minutes
// (TooManyProviderTokenUpdates), hence the 20–60 minute bound.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { signJwt } from './jwt';

export const APNS_TOKEN_RENEW_MINUTES = { default: 40, min: 20, max: 60 } as const;

export interface ApnsTokenOptions {
  teamId: string;
  keyId: string;
  /** The .p8 key (PKCS#8 PEM, EC P-256). */
  privateKeyPem: string;
  renewMinutes?: number;
  /** Wall-clock milliseconds; injectable for tests. */
  now?: () => number;
}

export class ApnsProviderToken {
  private readonly key: KeyObject;
  private readonly renewMs: number;
  private readonly now: () => number;
  private jwt: string | undefined;
  private issuedAt = 0;
  /** Tokens signed so far (for tests and metrics). */
  issued = 0;

  constructor(private readonly options: ApnsTokenOptions) {
    const minutes = options.renewMinutes ?? APNS_TOKEN_RENEW_MINUTES.default;
    if (!(minutes >= APNS_TOKEN_RENEW_MINUTES.min && minutes <= APNS_TOKEN_RENEW_MINUTES.max)) {
      throw new Error(`APNs token renewMinutes must be within 20–60, got ${minutes}`);
    }
    if (!/^[A-Z0-9]{10}$/i.test(options.teamId)) throw new Error(`teamId must be a 10-character Apple team id, got ${JSON.stringify(options.teamId)}`);
    if (!/^[A-Z0-9]{10}$/i.test(options.keyId)) throw new Error(`keyId must be a 10-character APNs key id, got ${JSON.stringify(options.keyId)}`);
    this.key = createPrivateKey(options.privateKeyPem);
    if (this.key.asymmetricKeyType !== 'ec') throw new Error('privateKeyPem must be an EC P-256 key (the .p8 file)');
    this.renewMs = minutes * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The token to send now (renewed when it has reached its renewal age). */
  current(): string {
    if (this.jwt === undefined || this.now() - this.issuedAt >= this.renewMs) this.renew();
    return this.jwt!;
  }

  /** APNs said `used` has expired: sign a new one, unless a concurrent send already did. */
  renewIfCurrent(used: string): void {
    if (this.jwt === used) this.renew();
  }

  private renew(): void {
    this.issuedAt = this.now();
    this.jwt = signJwt(
      { alg: 'ES256', kid: this.options.keyId },
      { iss: this.options.teamId, iat: Math.floor(this.issuedAt / 1000) },
      this.key,
    );
    this.issued += 1;
  }
}
