// The origin side of cross-instance resume: GatewayPeerService.TakeSession / ReleaseSession over
// this instance's session registry (Session.handOff / Session.release do the session work).
import { gatewayV1 } from '@switchboard/proto';
import type { MessageInitShape } from '@switchboard/proto';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@switchboard/runtime';
import type { ServiceImpl } from '@switchboard/runtime';
import type { DispatchShape } from '../session/environment';
import { HandoffRefusedError } from '../session/ports';
import type { HandedOverDispatch, SessionTail } from '../session/ports';
import type { SessionRegistry } from '../session/session-registry';

const SHAPES: ReadonlySet<string> = new Set<DispatchShape>(['json', 'etf', 'json+payload-zlib']);
/** How long a released session's answer is kept, so a retried ReleaseSession gets it again. */
const RELEASED_TTL_MS = 60_000;

type ReplayedInit = MessageInitShape<typeof gatewayV1.ReplayedDispatchSchema>;

export function toReplayed(items: readonly HandedOverDispatch[]): ReplayedInit[] {
  return items.map((item) => ({ seq: BigInt(item.seq), t: item.t, dJson: item.dJson, eventKey: item.eventKey ?? '' }));
}

export function fromReplayed(items: readonly { seq: bigint; t: string; dJson: string; eventKey: string }[]): HandedOverDispatch[] {
  return items.map((item) => ({ seq: Number(item.seq), t: item.t, dJson: item.dJson, ...(item.eventKey ? { eventKey: item.eventKey } : {}) }));
}

/** HandoffRefusedError → the status GatewayPeerService documents. */
function toStatusError(error: unknown): unknown {
  if (!(error instanceof HandoffRefusedError)) return error;
  switch (error.reason) {
    case 'bad-token':
      return new PermissionDeniedError('the token is not the session user\'s');
    case 'wrong-encoding':
      return new FailedPreconditionError('the session uses another encoding');
    case 'future-seq':
      return new InvalidArgumentError('seq', 'is ahead of the session');
    default:
      return new NotFoundError('no such session to hand off (unknown, ended, taken or too old)');
  }
}

/** What the origin serves; `registry` is read at call time (the edge starts after the gRPC server). */
export class SessionPeerService {
  readonly #released = new Map<string, { taker: string; tail: SessionTail; expiresAt: number }>();

  constructor(readonly registry: () => SessionRegistry | undefined, readonly now: () => number = Date.now) {}

  /** Sessions still here, not yet released to a taker (drain waits for this to reach 0). */
  get heldSessions(): number {
    return this.registry()?.size ?? 0;
  }

  handlers(): ServiceImpl<typeof gatewayV1.GatewayPeerService> {
    return {
      takeSession: (request) => {
        const session = this.registry()?.get(request.sessionId);
        if (!session) throw new NotFoundError('no such session to hand off (unknown, ended, taken or too old)');
        if (!SHAPES.has(request.shape)) throw new InvalidArgumentError('shape', 'must be json, etf or json+payload-zlib');
        if (!/^[0-9]{1,20}$/.test(request.userId)) throw new InvalidArgumentError('user_id', 'must be a decimal snowflake');
        try {
          const snapshot = session.handOff(request.takerInstanceId, BigInt(request.userId), request.shape as DispatchShape, Number(request.seq));
          return {
            userId: snapshot.userId.toString(),
            intents: snapshot.intents,
            shardId: snapshot.shardId,
            shardCount: snapshot.shardCount,
            guildIds: snapshot.guildIds,
            replay: toReplayed(snapshot.replay),
            nextSeq: BigInt(snapshot.nextSeq),
            shape: snapshot.shape,
          };
        } catch (error) {
          throw toStatusError(error);
        }
      },
      releaseSession: (request) => {
        this.#prune();
        const done = this.#released.get(request.sessionId);
        if (done?.taker === request.takerInstanceId) return { replay: toReplayed(done.tail.replay), nextSeq: BigInt(done.tail.nextSeq) };
        const session = this.registry()?.get(request.sessionId);
        if (!session) throw new NotFoundError('no such session to release');
        try {
          const tail = session.release(request.takerInstanceId, Number(request.afterSeq));
          this.#released.set(request.sessionId, { taker: request.takerInstanceId, tail, expiresAt: this.now() + RELEASED_TTL_MS });
          return { replay: toReplayed(tail.replay), nextSeq: BigInt(tail.nextSeq) };
        } catch (error) {
          throw toStatusError(error);
        }
      },
    };
  }

  #prune(): void {
    const now = this.now();
    for (const [id, entry] of this.#released) if (entry.expiresAt <= now) this.#released.delete(id);
  }
}
