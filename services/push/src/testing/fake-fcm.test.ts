// The fake refuses what real FCM refuses, so provider tests passing against it mean something.
import { FCM_SCOPE } from '../providers/fcm-auth';
import { Http2SessionPool } from '../providers/http2-pool';
import { signJwt } from '../providers/jwt';
import { createPrivateKey } from 'node:crypto';
import { FakeFcm } from './fake-fcm';
import { generateServiceAccount } from './test-credentials';

const account = generateServiceAccount({ tokenUri: 'http://unused', projectId: 'p1' });

describe('FakeFcm', () => {
  let fake: FakeFcm;
  let client: Http2SessionPool;

  beforeEach(async () => {
    fake = await FakeFcm.start();
    fake.addServiceAccount(account.serviceAccount.client_email, account.publicKey, ['p1']);
    client = new Http2SessionPool({ origin: fake.url });
  });

  afterEach(async () => {
    await client.close();
    await fake.close();
  });

  async function grant(claims: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const now = Math.floor(Date.now() / 1000);
    const assertion = signJwt(
      { alg: 'RS256' },
      { iss: account.serviceAccount.client_email, scope: FCM_SCOPE, aud: fake.tokenUri, iat: now, exp: now + 3600, ...claims },
      createPrivateKey(account.serviceAccount.private_key),
    );
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
    const response = await client.request({ path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
  }

  async function send(accessToken: string, message: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await client.request({
      path: '/v1/projects/p1/messages:send',
      headers: { authorization: `Bearer ${accessToken}` },
      body: JSON.stringify(message),
    });
    return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
  }

  test('grants a token only for a well-formed assertion', async () => {
    expect((await grant({})).body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect((await grant({ aud: 'https://elsewhere/token' })).body).toMatchObject({ error: 'invalid_grant' });
    expect((await grant({ scope: 'https://www.googleapis.com/auth/cloud-platform.read-only' })).body).toMatchObject({ error: 'invalid_scope' });
    expect((await grant({ exp: Math.floor(Date.now() / 1000) + 7200 })).body).toMatchObject({ error: 'invalid_grant' });
    expect((await grant({ iss: 'nobody@example.com' })).status).toBe(400);
    expect(fake.tokensIssued).toBe(1);
  });

  test('answers 401 UNAUTHENTICATED without a token it issued', async () => {
    const answer = await send('ya29.made-up', { message: { token: 't' } });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });

  test.each([
    [{ message: { token: 't', notifcation: {} } }, /Unknown name "notifcation"/],
    [{ message: { token: 't', topic: 'news' } }, /Exactly one of/],
    [{ message: { token: 't', data: { n: 1 } } }, /expected a string/],
    [{ message: { token: 't', android: { notification: { notification_count: -1 } } } }, /notification_count/],
    [{ msg: {} }, /Unknown name "msg"/],
  ])('refuses %j with 400 INVALID_ARGUMENT in Google’s error format', async (message, why) => {
    const token = String((await grant({})).body.access_token);
    const answer = await send(token, message);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: {
        code: 400,
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'INVALID_ARGUMENT' }],
      },
    });
    expect((answer.body.error as { message: string }).message).toMatch(why);
    expect(fake.delivered).toBe(0);
  });
});
