// The push service's gRPC API: every PushService RPC except Describe, which the service wires itself:
//   implement(pushV1.PushService, { describe, ...createPushApi(deps) })
import type { pushV1 } from '@switchboard/proto';
import type { ServiceImpl } from '@switchboard/runtime';
import { deviceHandlers } from './devices';
import type { PushApiDeps } from './devices';

export type { PushApiDeps } from './devices';
export { toProtoDevice } from './devices';
export * as validate from './validate';

export type PushApi = Omit<ServiceImpl<typeof pushV1.PushService>, 'describe'>;

export function createPushApi(deps: PushApiDeps): PushApi {
  return { ...deviceHandlers(deps) };
}
