// Throwaway provider credentials for the fakes, tests and the bench: a Google service account (RSA
// key, the JSON Google hands out) and an APNs auth key (EC P-256, as in a .p8 file).
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { ServiceAccount } from '../providers/fcm-auth';

export interface TestServiceAccount {
  projectId: string;
  /** Shaped like the downloaded service-account JSON. */
  serviceAccount: ServiceAccount & { type: 'service_account'; project_id: string; private_key_id: string };
  publicKey: KeyObject;
}

export function generateServiceAccount(options: { tokenUri: string; projectId?: string; clientEmail?: string }): TestServiceAccount {
  const projectId = options.projectId ?? 'switchboard-test';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    projectId,
    publicKey,
    serviceAccount: {
      type: 'service_account',
      project_id: projectId,
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: options.clientEmail ?? `push-${randomBytes(3).toString('hex')}@${projectId}.iam.gserviceaccount.com`,
      token_uri: options.tokenUri,
    },
  };
}

export interface TestApnsKey {
  teamId: string;
  keyId: string;
  privateKeyPem: string;
  publicKey: KeyObject;
}

export function generateApnsKey(options: { teamId?: string; keyId?: string } = {}): TestApnsKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    teamId: options.teamId ?? randomAppleId(),
    keyId: options.keyId ?? randomAppleId(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}

/** Ten upper-case alphanumerics, like Apple team and key ids. */
function randomAppleId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(10), (b) => alphabet[b % alphabet.length]).join('');
}

/** A device token shaped like an APNs one (64 hex characters). */
export function randomApnsToken(): string {
  return randomBytes(32).toString('hex');
}

/** A device token shaped like an FCM registration token. */
export function randomFcmToken(): string {
  return `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(96).toString('base64url')}`;
}
