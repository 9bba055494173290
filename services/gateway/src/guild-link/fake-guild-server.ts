// Test support (not used by production code): a real gRPC server on 127.0.0.1:0 playing a guild
// instance — Fanout (records hello, interests and acks per call; answers syncs, optionally late;
// lets a test push events or end the call), GetUserGuilds and RequestGuildMembers from tables —
// and the helpers the guild-link tests share to drive a real embedded gateway over WebSockets.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { guildV1 } from '@switchboard/proto';
import { AsyncQueue, createGrpcServer, implementPartially, listen } from '@switchboard/runtime';
import type { GrpcServer } from '@switchboard/runtime';
import type { GatewayPayload } from '../codec';
import type { RunningGateway } from '../start';
import { startEmbeddedGateway, tokenFor } from '../testing/embedded-gateway';
import { TestGatewayClient } from '../transport/test-client';

type FanoutMessageInit = MessageInitShape<typeof guildV1.FanoutMessageSchema>;
export type FanoutEventInit = MessageInitShape<typeof guildV1.FanoutEventSchema>;

/** One Fanout call as the guild instance sees it. */
export class FakeFanoutCall {
  readonly out = new AsyncQueue<FanoutMessageInit>();
  readonly requests: guildV1.FanoutRequest[] = [];
  /** Interests in effect on this call, as `g:<guild>:<user>` / `u:<user>:<user>`. */
  readonly interests = new Set<string>();
  readonly acks: { partition: number; offset: bigint }[] = [];
  readonly heldSyncs: bigint[] = [];
  helloFrom: string | undefined;
  ended = false;
  /** Called as each ack arrives (a test snapshots what was applied by then). */
  onAck: ((partition: number, offset: bigint) => void) | undefined;

  constructor(readonly server: FakeGuildServer) {}

  handle(request: guildV1.FanoutRequest): void {
    this.requests.push(request);
    const kind = request.kind;
    if (kind.case === 'hello') this.helloFrom = kind.value.gatewayInstanceId;
    if (kind.case === 'ack') {
      this.acks.push({ partition: kind.value.partition, offset: BigInt(kind.value.offset) });
      this.onAck?.(kind.value.partition, BigInt(kind.value.offset));
    }
    if (kind.case !== 'interest') return;
    const key = (interest: guildV1.Interest) => `${interest.scope?.kind === guildV1.ScopeKind.GUILD ? 'g' : 'u'}:${interest.scope?.id}:${interest.userId}`;
    for (const interest of kind.value.add) this.interests.add(key(interest));
    for (const interest of kind.value.remove) this.interests.delete(key(interest));
    if (kind.value.syncId === 0n) return;
    if (this.server.holdSyncs) this.heldSyncs.push(kind.value.syncId);
    else this.applied(kind.value.syncId);
  }

  applied(syncId: bigint): void {
    this.out.push({ kind: { case: 'interestApplied', value: { syncId } } });
    this.server.afterSync?.(this);
  }

  /** Answers every sync held so far. */
  releaseSyncs(): void {
    for (const syncId of this.heldSyncs.splice(0)) this.applied(syncId);
  }

  send(event: FanoutEventInit): void {
    this.out.push({ kind: { case: 'event', value: event } });
  }

  /** Whether the interest-change messages carried a sync (the snapshot's last one does). */
  interestMessages(): guildV1.InterestChange[] {
    return this.requests.flatMap((request) => (request.kind.case === 'interest' ? [request.kind.value] : []));
  }
}

export class FakeGuildServer {
  readonly calls: FakeFanoutCall[] = [];
  /** User id → GetUserGuilds answer. */
  readonly userGuilds = new Map<string, { guildId: string; payload: Record<string, unknown> }[]>();
  readonly memberRequests: guildV1.RequestGuildMembersRequest[] = [];
  readonly userGuildRequests: guildV1.GetUserGuildsRequest[] = [];
  memberChunks: (request: guildV1.RequestGuildMembersRequest) => Record<string, unknown>[] = () => [];
  /** While true, syncs are recorded in heldSyncs instead of answered. */
  holdSyncs = false;
  failGetUserGuilds = false;
  /** Called right after each InterestApplied is queued (to send events in the same breath). */
  afterSync: ((call: FakeFanoutCall) => void) | undefined;

  private constructor(readonly server: GrpcServer, readonly address: string) {}

  static async start(): Promise<FakeGuildServer> {
    let fake: FakeGuildServer | undefined;
    const server = createGrpcServer({
      services: [implementPartially(guildV1.GuildService, {
        fanout: (requests, context) => fake!.fanout(requests, context.signal),
        getUserGuilds: (request) => fake!.getUserGuilds(request),
        requestGuildMembers: (request) => fake!.requestGuildMembers(request),
      })],
      logger: { error: () => undefined, warn: () => undefined },
    });
    const port = await listen(server, '127.0.0.1', 0);
    fake = new FakeGuildServer(server, `127.0.0.1:${port}`);
    return fake;
  }

  /** The current (latest, not ended) call. */
  get call(): FakeFanoutCall | undefined {
    return this.calls.filter((call) => !call.ended).at(-1);
  }

  stop(): void {
    this.server.forceShutdown();
  }

  private fanout(requests: AsyncIterable<guildV1.FanoutRequest>, signal: AbortSignal): AsyncIterable<FanoutMessageInit> {
    const call = new FakeFanoutCall(this);
    this.calls.push(call);
    const finish = (): void => {
      call.ended = true;
      call.out.end();
    };
    signal.addEventListener('abort', finish, { once: true });
    void (async () => {
      try {
        for await (const request of requests) call.handle(request);
      } catch {
        // the gateway went away
      }
      finish();
    })();
    return call.out;
  }

  /** Runs before GetUserGuilds reads its table (to make something happen in between). */
  beforeUserGuilds: ((request: guildV1.GetUserGuildsRequest) => Promise<void>) | undefined;

  private async getUserGuilds(request: guildV1.GetUserGuildsRequest): Promise<MessageInitShape<typeof guildV1.GetUserGuildsResponseSchema>> {
    this.userGuildRequests.push(request);
    await this.beforeUserGuilds?.(request);
    if (this.failGetUserGuilds) throw new Error('guild state unavailable');
    const guilds = this.userGuilds.get(request.userId) ?? [];
    const onShard = guilds.filter((guild) => Number((BigInt(guild.guildId) >> 22n) % BigInt(Math.max(1, request.shardCount))) === request.shardId);
    return { guilds: onShard.map((guild) => ({ guildId: guild.guildId, payloadJson: JSON.stringify(guild.payload) })) };
  }

  private async *requestGuildMembers(request: guildV1.RequestGuildMembersRequest): AsyncIterable<MessageInitShape<typeof guildV1.GuildMembersChunkSchema>> {
    this.memberRequests.push(request);
    for (const chunk of this.memberChunks(request)) yield { chunkJson: JSON.stringify(chunk) };
  }
}

export async function waitFor(condition: () => boolean, what = 'condition', timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A real embedded gateway whose guild link points at the fake(s). */
export function startLinkedGateway(fakes: readonly FakeGuildServer[], env: Record<string, string> = {}): Promise<RunningGateway> {
  return startEmbeddedGateway({
    GUILD_ADDRESS: fakes[0]!.address,
    GUILD_FANOUT_TARGETS: fakes.map((fake) => fake.address).join(','),
    GUILD_SYNC_TIMEOUT: '20s',
    // Several IDENTIFYs per test, and no drain window to wait out on shutdown.
    GATEWAY_IDENTIFY_INTERVAL: '1ms',
    GATEWAY_DRAIN_WINDOW: '0',
    ...env,
  });
}

export const DEFAULT_INTENTS = (1 << 0) | (1 << 9); // GUILDS | GUILD_MESSAGES

/** Connects and sends IDENTIFY; does not wait for READY. */
export async function identify(gateway: RunningGateway, userId: bigint, d: Record<string, unknown> = {}): Promise<TestGatewayClient> {
  const client = await TestGatewayClient.connect(gateway.edge.server.port);
  await client.next((payload) => payload.op === 10);
  client.send({ op: 2, d: { token: tokenFor(gateway, userId), intents: DEFAULT_INTENTS, properties: { os: 'linux', browser: 'test', device: 'test' }, ...d } });
  return client;
}

/** Connects, identifies and waits for READY; returns the client and its session id. */
export async function ready(gateway: RunningGateway, userId: bigint, d: Record<string, unknown> = {}): Promise<{ client: TestGatewayClient; sessionId: string }> {
  const client = await identify(gateway, userId, d);
  const frame: GatewayPayload = await client.dispatch('READY');
  return { client, sessionId: (frame.d as { session_id: string }).session_id };
}

/** Every frame received up to and including the first that matches `until`, in order. */
export async function framesUntil(client: TestGatewayClient, until: (frame: GatewayPayload, seen: GatewayPayload[]) => boolean): Promise<GatewayPayload[]> {
  const seen: GatewayPayload[] = [];
  const counted = new WeakSet<GatewayPayload>();
  // next() re-scans frames it did not consume yet: count each frame once.
  await client.next((frame) => {
    if (!counted.has(frame)) {
      counted.add(frame);
      seen.push(frame);
    }
    return until(frame, seen);
  });
  return seen;
}

/** A guild-scoped event as a guild instance sends it. */
export function guildEvent(guildId: string, type: string, d: Record<string, unknown>, partition: number, offset: number, extra: Record<string, unknown> = {}): FanoutEventInit {
  return {
    scope: { kind: guildV1.ScopeKind.GUILD, id: guildId },
    eventId: `${partition}-${offset}`,
    type,
    payloadJson: JSON.stringify(d),
    guildId,
    partition,
    offset: String(offset),
    visibility: { case: 'allUsers', value: true },
    ...extra,
  } as FanoutEventInit;
}

export function userEvent(userId: bigint, type: string, d: Record<string, unknown>, partition: number, offset: number): FanoutEventInit {
  return {
    scope: { kind: guildV1.ScopeKind.USER, id: String(userId) },
    eventId: `${partition}-${offset}`,
    type,
    payloadJson: JSON.stringify(d),
    partition,
    offset: String(offset),
    visibility: { case: 'allUsers', value: true },
  };
}

