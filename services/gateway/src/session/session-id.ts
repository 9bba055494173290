// Session ids carry their origin, so that a RESUME landing on another gateway instance can find
// the instance that holds the session (cross-instance resume is a later step):
//
//   s1.<origin>.<secret>
//
// `s1` versions the format; <origin> is the base64url of the origin instance id (the pod name in
// Kubernetes, which a headless Service turns into `<pod>.<service>:<grpc port>`); <secret> is 128
// random bits, so ids cannot be guessed. Ids are ASCII without `:` or `/`, safe in logs and URLs.
import { randomBytes } from 'node:crypto';

const PREFIX = 's1';

export function newSessionId(originInstanceId: string): string {
  return `${PREFIX}.${Buffer.from(originInstanceId, 'utf8').toString('base64url')}.${randomBytes(16).toString('hex')}`;
}

/** The origin instance id of a session id, or undefined if the id is not ours. */
export function sessionOrigin(sessionId: unknown): string | undefined {
  if (typeof sessionId !== 'string' || sessionId.length > 200) return undefined;
  const match = /^s1\.([A-Za-z0-9_-]+)\.[0-9a-f]{32}$/.exec(sessionId);
  return match ? Buffer.from(match[1]!, 'base64url').toString('utf8') : undefined;
}
