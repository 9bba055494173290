// The Fanout bidi stream, guild side: each gateway instance opens one to every guild instance,
// says hello, declares its interests and acks what it applied. This keeps every gateway's
// interests in the shared table (so a partition's next owner already knows them) and hands acks
// to the owner waiting on them. Bad input ends the stream with INVALID_ARGUMENT naming the field.
import { create } from '@bufbuild/protobuf';
import { guildV1 } from '@switchboard/proto';
import { InvalidArgumentError, UnavailableError } from '@switchboard/runtime';
import type { BidiStreamingHandler, HandlerContext, Logger } from '@switchboard/runtime';
import type { FanoutMetrics } from './fanout-metrics';
import { parseAck, parseHello, parseInterestChange, parseMemberListRequest } from './fanout-requests';
import type { InterestPair, ParsedMemberListRequest } from './fanout-requests';
import { GatewayStream } from './gateway-stream';
import { InterestTable } from './interest-table';

export type FanoutLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
export type FanoutHandler = BidiStreamingHandler<typeof guildV1.FanoutRequestSchema, typeof guildV1.FanoutMessageSchema>;

/** What else wants to know about a stream's requests (the member lists). Called synchronously. */
export interface FanoutStreamListener {
  /** After an interest change applied: the pairs that actually came and went on this stream. */
  interestsChanged(stream: GatewayStream, added: readonly InterestPair[], removed: readonly InterestPair[]): void;
  memberListRequest(stream: GatewayStream, request: ParsedMemberListRequest): void;
  /** After the stream's interests were dropped; `held` = the scopes and users it held. */
  streamClosed(stream: GatewayStream, held: ReadonlyMap<string, ReadonlySet<bigint>>): void;
}

export interface FanoutServiceDeps {
  metrics: FanoutMetrics;
  logger: FanoutLogger;
  listener?: FanoutStreamListener;
  /** Default: a new one. */
  table?: InterestTable<GatewayStream>;
}

export class FanoutService {
  readonly table: InterestTable<GatewayStream>;
  readonly #streams = new Set<GatewayStream>();

  constructor(private readonly deps: FanoutServiceDeps) {
    this.table = deps.table ?? new InterestTable<GatewayStream>();
  }

  /** The `fanout` method of GuildService (for implement / implementPartially). */
  readonly handler: FanoutHandler = (requests, ctx) => {
    const stream = new GatewayStream(ctx.peer, (closed) => this.#forget(closed));
    this.#streams.add(stream);
    void this.#serve(stream, requests, ctx);
    return stream.outgoing;
  };

  /** Gateway streams that said hello and are still open. */
  streams(): GatewayStream[] {
    return [...this.#streams].filter((stream) => stream.greeted && !stream.closed);
  }

  /** Whether the gateway instance has a stream whose interest snapshot is in effect. */
  isEstablished(gatewayInstanceId: string): boolean {
    return this.streams().some((stream) => stream.gatewayInstanceId === gatewayInstanceId && stream.established);
  }

  /** Ends every stream (shutdown): the gateways reconnect to another instance or retry. */
  closeAll(reason = 'guild instance shutting down'): void {
    for (const stream of [...this.#streams]) stream.close(new UnavailableError(reason));
  }

  async #serve(stream: GatewayStream, requests: AsyncIterable<guildV1.FanoutRequest>, ctx: HandlerContext): Promise<void> {
    const onAbort = (): void => stream.close(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const request of requests) {
        if (stream.closed) break;
        this.#handle(stream, request);
      }
      stream.close();
    } catch (err) {
      if (err instanceof InvalidArgumentError) {
        this.deps.logger.warn({ err, gateway: stream.gatewayInstanceId, peer: stream.peer }, 'fanout stream: bad request, ending it');
      }
      stream.close(err);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  #handle(stream: GatewayStream, request: guildV1.FanoutRequest): void {
    const kind = request.kind;
    if (!stream.greeted && kind.case !== 'hello') throw new InvalidArgumentError('hello', 'the first message must be hello');
    switch (kind.case) {
      case 'hello':
        if (stream.greeted) throw new InvalidArgumentError('hello', 'sent twice');
        stream.greet(parseHello(kind.value));
        this.deps.metrics.gatewayStreams.inc();
        this.deps.logger.info({ gateway: stream.gatewayInstanceId, peer: stream.peer, stream: stream.id }, 'fanout stream opened');
        return;
      case 'interest':
        this.#applyInterest(stream, kind.value);
        return;
      case 'ack': {
        const { partition, offset } = parseAck(kind.value);
        stream.recordAck(partition, offset);
        return;
      }
      case 'memberList': {
        // Validated on every instance, lists or not (a bad request ends the stream wherever it lands).
        const parsed = parseMemberListRequest(kind.value);
        this.deps.listener?.memberListRequest(stream, parsed);
        return;
      }
      default:
        throw new InvalidArgumentError('kind', 'one of hello, interest, ack or member_list is required');
    }
  }

  #applyInterest(stream: GatewayStream, change: guildV1.InterestChange): void {
    const parsed = parseInterestChange(change);
    const added = parsed.add.filter(({ scopeKey, userId }) => this.table.add(stream, scopeKey, userId));
    // Activations after the adds of the same change (so they find the interest), before its removes.
    for (const { scopeKey, userId } of parsed.activate) this.table.activate(stream, scopeKey, userId);
    for (const { scopeKey, userId } of parsed.deactivate) this.table.deactivate(stream, scopeKey, userId);
    const removed = parsed.remove.filter(({ scopeKey, userId }) => this.table.remove(stream, scopeKey, userId));
    if (added.length > 0 || removed.length > 0) this.deps.listener?.interestsChanged(stream, added, removed);
    if (parsed.syncId !== 0n) {
      stream.markEstablished();
      stream.send(create(guildV1.FanoutMessageSchema, { kind: { case: 'interestApplied', value: { syncId: parsed.syncId } } }));
    }
  }

  #forget(stream: GatewayStream): void {
    this.#streams.delete(stream);
    const held = new Map([...this.table.scopesOf(stream)].map(([scope, users]) => [scope, new Set(users)] as const));
    this.table.removeStream(stream);
    this.deps.listener?.streamClosed(stream, held);
    if (stream.greeted) {
      this.deps.metrics.gatewayStreams.dec();
      this.deps.logger.info({ gateway: stream.gatewayInstanceId, stream: stream.id }, 'fanout stream closed');
    }
  }
}
