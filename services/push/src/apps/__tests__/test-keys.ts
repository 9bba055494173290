// Throwaway keys of the kinds the providers use: a Google service account's RSA key and an APNs
// .p8 (P-256 EC), as PKCS#8 PEM. Generated once per test file.
import { generateKeyPairSync } from 'node:crypto';

const pkcs8 = { type: 'pkcs8', format: 'pem' } as const;
const spki = { type: 'spki', format: 'pem' } as const;

export const RSA_KEY_PEM = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: pkcs8, publicKeyEncoding: spki }).privateKey;
export const EC_P256_KEY_PEM = generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: pkcs8, publicKeyEncoding: spki }).privateKey;
export const EC_P384_KEY_PEM = generateKeyPairSync('ec', { namedCurve: 'secp384r1', privateKeyEncoding: pkcs8, publicKeyEncoding: spki }).privateKey;

export function serviceAccount(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'service_account',
    project_id: 'switchboard-test',
    private_key_id: 'abc123',
    private_key: RSA_KEY_PEM,
    client_email: 'push@switchboard-test.iam.gserviceaccount.com',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...overrides,
  };
}

export function fcmEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { app_id: 'android', platform: 'fcm', project_id: 'switchboard-test', service_account: serviceAccount(), ...overrides };
}

export function apnsEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { app_id: 'ios', platform: 'apns', team_id: 'ABCDE12345', key_id: 'KEY1234567', private_key: EC_P256_KEY_PEM, bundle_id: 'com.example.chat', ...overrides };
}
