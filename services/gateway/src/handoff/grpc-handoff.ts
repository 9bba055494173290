// The taker side of cross-instance resume: SessionHandoff over GatewayPeerService, one client
// per origin address (the shared client policy: deadline, retries for these idempotent RPCs).
import { gatewayV1 } from '@switchboard/proto';
import {
  closeClient, createClient, FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError,
} from '@switchboard/runtime';
import type { ServiceClient } from '@switchboard/runtime';
import type { DispatchShape } from '../session/environment';
import { HandoffRefusedError } from '../session/ports';
import type { SessionHandoff, SessionSnapshot, SessionTail, TakeSessionRequest } from '../session/ports';
import type { PeerResolver } from './peer-resolver';
import { fromReplayed } from './peer-service';

type PeerClient = ServiceClient<typeof gatewayV1.GatewayPeerService>;

function refusal(error: unknown): HandoffRefusedError {
  if (error instanceof HandoffRefusedError) return error;
  if (error instanceof NotFoundError) return new HandoffRefusedError('unknown-session', error.message, { cause: error });
  if (error instanceof PermissionDeniedError) return new HandoffRefusedError('bad-token', error.message, { cause: error });
  if (error instanceof FailedPreconditionError) return new HandoffRefusedError('wrong-encoding', error.message, { cause: error });
  if (error instanceof InvalidArgumentError && error.field === 'seq') return new HandoffRefusedError('future-seq', error.message, { cause: error });
  return new HandoffRefusedError('origin-unreachable', (error as Error)?.message ?? String(error), { cause: error });
}

export class GrpcSessionHandoff implements SessionHandoff {
  readonly #clients = new Map<string, PeerClient>();

  constructor(readonly resolver: PeerResolver, readonly options: { timeoutMs?: number } = {}) {}

  async take(origin: string, request: TakeSessionRequest): Promise<SessionSnapshot> {
    try {
      const response = await this.#client(origin).takeSession({
        sessionId: request.sessionId,
        seq: BigInt(request.seq),
        userId: request.userId.toString(),
        shape: request.shape,
        takerInstanceId: request.takerInstanceId,
      }, { timeoutMs: this.options.timeoutMs ?? 5_000 });
      return {
        userId: BigInt(response.userId),
        intents: response.intents,
        shardId: response.shardId,
        shardCount: Math.max(1, response.shardCount),
        guildIds: response.guildIds,
        shape: response.shape as DispatchShape,
        replay: fromReplayed(response.replay),
        nextSeq: Number(response.nextSeq),
      };
    } catch (error) {
      throw refusal(error);
    }
  }

  async release(origin: string, sessionId: string, takerInstanceId: string, afterSeq: number): Promise<SessionTail> {
    try {
      const response = await this.#client(origin).releaseSession(
        { sessionId, takerInstanceId, afterSeq: BigInt(afterSeq) },
        { timeoutMs: this.options.timeoutMs ?? 5_000 },
      );
      return { replay: fromReplayed(response.replay), nextSeq: Number(response.nextSeq) };
    } catch (error) {
      throw refusal(error);
    }
  }

  close(): void {
    for (const client of this.#clients.values()) closeClient(client);
    this.#clients.clear();
  }

  #client(origin: string): PeerClient {
    const address = this.resolver.addressOf(origin);
    if (address === undefined) throw new HandoffRefusedError('origin-unreachable', `no address for gateway instance ${origin}`);
    let client = this.#clients.get(address);
    if (!client) this.#clients.set(address, (client = createClient(gatewayV1.GatewayPeerService, address)));
    return client;
  }
}
