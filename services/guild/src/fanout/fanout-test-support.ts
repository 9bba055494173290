// Test doubles for the fan-out: a guild state with plain sets, a loader of them, a recording
// logger, a gRPC server serving only `fanout`, and a fake gateway driving one real Fanout stream.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { guildV1 } from '@switchboard/proto';
import {
  AsyncQueue, closeClient, createClient, createGrpcServer, createLogger, implementPartially, listen,
} from '@switchboard/runtime';
import type { GrpcServer, Logger, OverwriteView, ServiceClient } from '@switchboard/runtime';
import type { FanoutHandler } from './fanout-service';
import type { ScopeState, ScopeStateLoader } from './scope-state';

export class FakeScopeState implements ScopeState {
  readonly members: Set<bigint>;
  /** "user:channel" pairs that may not view. */
  readonly hidden: Set<string>;
  readonly applied: string[] = [];
  /** Per channel; a channel absent here is known with no overwrites (the "everyone" list). */
  readonly overwrites = new Map<bigint, OverwriteView[]>();

  constructor(init: { members: bigint[]; hidden?: Array<[bigint, bigint]> }) {
    this.members = new Set(init.members);
    this.hidden = new Set((init.hidden ?? []).map(([user, channel]) => `${user}:${channel}`));
  }

  canView(userId: bigint, channelId: bigint): boolean {
    return this.members.has(userId) && !this.hidden.has(`${userId}:${channelId}`);
  }

  isMember(userId: bigint): boolean {
    return this.members.has(userId);
  }

  memberCount(): number {
    return this.members.size;
  }

  channelOverwrites(channelId: bigint): Iterable<OverwriteView> | undefined {
    return this.overwrites.get(channelId) ?? [];
  }

  /** Understands member add/remove and a test event hiding a channel from a user. */
  apply(type: string, payload: Record<string, unknown>): void {
    this.applied.push(type);
    const user = (payload.user as { id?: string } | undefined)?.id;
    if (type === 'GUILD_MEMBER_ADD' && user) this.members.add(BigInt(user));
    if (type === 'GUILD_MEMBER_REMOVE' && user) this.members.delete(BigInt(user));
    if (type === 'TEST_HIDE_CHANNEL') this.hidden.add(`${String(payload.user_id)}:${String(payload.channel_id)}`);
    if (type === 'GUILD_DELETE') this.members.clear();
    if (type === 'CHANNEL_DELETE') for (const member of this.members) this.hidden.add(`${member}:${String(payload.id)}`);
  }
}

export class FakeLoader implements ScopeStateLoader {
  readonly loads: bigint[] = [];
  constructor(readonly states: Map<bigint, FakeScopeState>) {}

  async load(guildId: bigint): Promise<ScopeState | undefined> {
    this.loads.push(guildId);
    return this.states.get(guildId);
  }
}

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({ service: 'guild-test', level: 'debug', destination: { write: (line: string) => lines.push(JSON.parse(line)) } });
  return { logger, lines };
}

const silentGrpcLogger = { error: () => undefined, warn: () => undefined };

export interface FanoutServer {
  address: string;
  server: GrpcServer;
  stop(): void;
}

export async function startFanoutServer(handler: FanoutHandler): Promise<FanoutServer> {
  const server = createGrpcServer({ services: [implementPartially(guildV1.GuildService, { fanout: handler })], logger: silentGrpcLogger });
  const port = await listen(server, '127.0.0.1', 0);
  return { address: `127.0.0.1:${port}`, server, stop: () => server.forceShutdown() };
}

/** Polls until `condition` holds; fails naming `what` after `timeoutMs` (no fixed sleeps). */
export async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type Request = MessageInitShape<typeof guildV1.FanoutRequestSchema>;

/** One gateway's Fanout stream over a real gRPC connection, acking what it gets unless told not to. */
export class FakeGateway {
  readonly client: ServiceClient<typeof guildV1.GuildService>;
  readonly requests = new AsyncQueue<Request>();
  readonly messages: guildV1.FanoutMessage[] = [];
  error: unknown;
  ended = false;
  autoAck = true;
  /** Called with each event as it arrives (tests sharing one arrival order across streams). */
  onEvent: ((event: guildV1.FanoutEvent) => void) | undefined;
  #syncId = 0n;
  readonly #cancel = new AbortController();
  readonly done: Promise<void>;

  constructor(address: string, readonly instanceId = 'gateway-test') {
    this.client = createClient(guildV1.GuildService, address);
    this.done = this.#receive();
  }

  get events(): guildV1.FanoutEvent[] {
    return this.messages.flatMap((m) => (m.kind.case === 'event' ? [m.kind.value] : []));
  }

  get finished(): boolean {
    return this.ended || this.error !== undefined;
  }

  send(request: Request): void {
    this.requests.push(request);
  }

  hello(): void {
    this.send({ kind: { case: 'hello', value: { gatewayInstanceId: this.instanceId } } });
  }

  /** Sends an interest change with a sync id and waits for InterestApplied. */
  async interest(add: Array<[guildV1.Scope, bigint]>, remove: Array<[guildV1.Scope, bigint]> = []): Promise<void> {
    this.#syncId += 1n;
    const syncId = this.#syncId;
    const pairs = (list: Array<[guildV1.Scope, bigint]>) => list.map(([scope, user]) => ({ scope, userId: user.toString() }));
    this.send({ kind: { case: 'interest', value: { add: pairs(add), remove: pairs(remove), syncId } } });
    await until(
      () => this.messages.some((m) => m.kind.case === 'interestApplied' && m.kind.value.syncId === syncId) || this.finished,
      `InterestApplied ${syncId}`,
    );
    if (this.error) throw this.error;
  }

  ack(partition: number, offset: string): void {
    this.send({ kind: { case: 'ack', value: { partition, offset } } });
  }

  /** Half-closes the stream (the gateway is done). */
  end(): void {
    this.requests.end();
  }

  /** Cancels the call without half-closing, as a gateway process dying would. */
  cancel(): void {
    this.#cancel.abort();
  }

  close(): void {
    this.requests.end();
    closeClient(this.client);
  }

  async #receive(): Promise<void> {
    try {
      for await (const message of this.client.fanout(this.requests, { signal: this.#cancel.signal })) {
        this.messages.push(message);
        if (message.kind.case === 'event') this.onEvent?.(message.kind.value);
        // Messages without an offset (member-list SYNCs, ops of interest changes) are not acked.
        if (message.kind.case === 'event' && this.autoAck && message.kind.value.offset !== '') this.ack(message.kind.value.partition, message.kind.value.offset);
      }
      this.ended = true;
    } catch (err) {
      this.error = err;
    }
  }
}
