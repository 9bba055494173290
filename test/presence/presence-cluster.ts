// A small presence deployment of real processes for tests: presence and gateway instances started
// from their built dist/main.js (as Kubernetes runs them) against the real Kafka broker and one
// fresh PostgreSQL schema, plus gateway clients and GetPresences reads. One object per test file;
// close() ends what is left gracefully (so the consumer groups are empty and can be deleted) and
// drops the schema.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { presenceV1 } from '@switchboard/proto';
import { closeClient, createClient, openDatabase } from '@switchboard/runtime';
import type { ServiceClient } from '@switchboard/runtime';
import { TokenSigner } from '../../services/gateway/src/auth/token';
import { GatewayIntent } from '../../services/gateway/src/protocol';
import { TestGatewayClient } from '../../services/gateway/src/transport/test-client';
import { requireDatabaseUrl, requireKafkaBrokers } from '../support/backing-services';
import { builtEntryPoint, dumpProcessLogs, startProcess, stopAll } from '../support/processes';
import type { RunningProcess } from '../support/processes';

/** Every gateway process verifies tokens with this key; the test mints them with it too. */
const TOKEN_SECRET = 'switchboard-presence-process-test-'.padEnd(48, 'k');

export interface PresenceTimings {
  /** PRESENCE_LEASE_TTL, the same variable on gateways and presence instances. */
  leaseTtlMs: number;
  /** GATEWAY_PRESENCE_LEASE_INTERVAL. */
  leaseIntervalMs: number;
  /** PRESENCE_LEASE_SWEEP_INTERVAL. */
  leaseSweepIntervalMs: number;
  /** KAFKA_CONSUMER_SESSION_TIMEOUT of the presence instances (how long a dead owner's users wait). */
  consumerSessionTimeoutMs: number;
}

export interface ServiceProcess {
  readonly name: string;
  readonly instanceId: string;
  readonly process: RunningProcess;
  /** gRPC address (presence: PresenceService). */
  readonly address: string;
}

export interface GatewayProcess extends ServiceProcess {
  /** The public WebSocket port. */
  readonly publicPort: number;
}

export type Platform = 'desktop' | 'mobile';

/** IDENTIFY properties that the gateway maps to each client_status platform (protocol/client-platform.ts). */
const PROPERTIES: Record<Platform, Record<string, string>> = {
  desktop: { os: 'linux', browser: 'Discord Client', device: '' },
  mobile: { os: 'android', browser: 'Discord Android', device: 'phone' },
};

export interface ObservedPresence {
  status: string;
  clientStatus: Partial<Record<'desktop' | 'mobile' | 'web', string>>;
}

const ms = (value: number) => `${value}ms`;

export class PresenceCluster {
  readonly run = randomBytes(4).toString('hex');
  readonly schema = `test_presence_procs_${this.run}`;
  /** One owners' group per run, so runs sharing the broker never share users. */
  readonly ownerGroup = `test-presence-owners-${this.run}`;
  readonly #signer = new TokenSigner(TOKEN_SECRET);
  /** Every process started, from its spawn on (one that never served still gets stopped). */
  readonly #processes: { name: string; process: RunningProcess }[] = [];
  readonly #clients: TestGatewayClient[] = [];
  readonly #apis: ServiceClient<typeof presenceV1.PresenceService>[] = [];
  #admin: Awaited<ReturnType<typeof openDatabase>> | undefined;
  #nextUser = 0n;

  constructor(readonly timings: PresenceTimings) {}

  async open(): Promise<void> {
    this.#admin = await openDatabase({ url: requireDatabaseUrl(), poolSize: 1 });
    await this.#admin.exec(`CREATE SCHEMA ${this.schema}`);
  }

  /** A user id no other run uses (time-based snowflakes). */
  newUser(): bigint {
    this.#nextUser += 1n;
    return (BigInt(Date.now()) << 22n) + this.#nextUser;
  }

  #commonEnv(instanceId: string): Record<string, string> {
    const url = new URL(requireDatabaseUrl());
    url.searchParams.set('options', `-c search_path=${this.schema}`);
    return {
      SWITCHBOARD_MODE: 'cluster',
      SWITCHBOARD_INSTANCE_ID: instanceId,
      SWITCHBOARD_BIND_HOST: '127.0.0.1',
      SWITCHBOARD_SHUTDOWN_GRACE: '3s',
      KAFKA_BROKERS: requireKafkaBrokers().join(','),
      KAFKA_CONSUMER_SESSION_TIMEOUT: ms(this.timings.consumerSessionTimeoutMs),
      DATABASE_URL: url.toString(),
      PRESENCE_LEASE_TTL: ms(this.timings.leaseTtlMs),
      // This run's own topics (gateways and presence instances share the variables): no other
      // run's sessions or leases reach it.
      PRESENCE_SESSIONS_TOPIC: `test.presence.sessions.${this.run}`,
      PRESENCE_LEASES_TOPIC: `test.presence.leases.${this.run}`,
      LOG_LEVEL: 'info',
    };
  }

  #spawn(name: string, entry: string, env: Record<string, string>): RunningProcess {
    const running = startProcess(builtEntryPoint(entry), env);
    this.#processes.push({ name, process: running });
    return running;
  }

  async startPresence(name: string): Promise<ServiceProcess> {
    const instanceId = `${name}-${this.run}`;
    const running = this.#spawn(name, 'services/presence/dist/main.js', {
      ...this.#commonEnv(instanceId),
      PRESENCE_GRPC_PORT: '0',
      PRESENCE_HTTP_PORT: '0',
      PRESENCE_OWNER_GROUP: this.ownerGroup,
      PRESENCE_LEASE_SWEEP_INTERVAL: ms(this.timings.leaseSweepIntervalMs),
    });
    const serving = JSON.parse(await running.waitFor(/"msg":"serving"/, 60_000)) as { grpcPort: number };
    return { name, instanceId, process: running, address: `127.0.0.1:${serving.grpcPort}` };
  }

  async startGateway(name: string): Promise<GatewayProcess> {
    const instanceId = `${name}-${this.run}`;
    const running = this.#spawn(name, 'services/gateway/dist/main.js', {
      ...this.#commonEnv(instanceId),
      GATEWAY_GRPC_PORT: '0',
      GATEWAY_HTTP_PORT: '0',
      GATEWAY_PUBLIC_PORT: '0',
      GATEWAY_TOKEN_SECRET: TOKEN_SECRET,
      GATEWAY_PRESENCE_LEASE_INTERVAL: ms(this.timings.leaseIntervalMs),
      // The test clients do not heartbeat: no session may be closed for that during the test.
      GATEWAY_HEARTBEAT_INTERVAL: '10m',
      GATEWAY_DRAIN_WINDOW: '100ms',
      // No GUILD_ADDRESS: sessions get READY without guilds, which is all presence needs.
    });
    const serving = JSON.parse(await running.waitFor(/"msg":"serving"/, 60_000)) as { grpcPort: number };
    const edge = JSON.parse(await running.waitFor(/"msg":"gateway websocket edge listening"/, 30_000)) as { publicPort: number };
    return { name, instanceId, process: running, address: `127.0.0.1:${serving.grpcPort}`, publicPort: edge.publicPort };
  }

  /** A session of `userId` on `gateway` from a client of `platform`, with IDENTIFY's presence `status`; resolves at READY. */
  async connect(gateway: GatewayProcess, userId: bigint, platform: Platform, status: string): Promise<TestGatewayClient> {
    const client = await TestGatewayClient.connect(gateway.publicPort);
    this.#clients.push(client);
    await client.next((p) => p.op === 10, 15_000);
    client.send({ op: 2, d: {
      token: this.#signer.sign({ userId, issuedAt: Math.floor(Date.now() / 1000) - 1 }),
      intents: GatewayIntent.GUILDS,
      properties: PROPERTIES[platform],
      presence: { status, since: null, activities: [], afk: false },
    } });
    await client.dispatch('READY', 15_000);
    return client;
  }

  presenceApi(instance: ServiceProcess): ServiceClient<typeof presenceV1.PresenceService> {
    const api = createClient(presenceV1.PresenceService, instance.address, { defaultTimeoutMs: 5_000 });
    this.#apis.push(api);
    return api;
  }

  /** The partitions the instance owns now, from its latest assignment/revocation log line. */
  static ownedPartitions(instance: ServiceProcess): number[] | undefined {
    const lines = instance.process.output().stdout.split('\n')
      .filter((line) => /"msg":"presence partitions (assigned|revoked)"/.test(line));
    const last = lines.at(-1);
    return last === undefined ? undefined : (JSON.parse(last) as { partitions: number[] }).partitions;
  }

  /** Ends what is still running (gracefully: the groups empty out), deletes this run's groups, drops the schema. */
  async close(): Promise<void> {
    for (const client of this.#clients) client.ws.terminate();
    for (const api of this.#apis) closeClient(api);
    await stopAll(this.#processes);
    dumpProcessLogs(this.#processes, this.run);
    const kafka = new Kafka({ brokers: requireKafkaBrokers(), clientId: `presence-test-cleanup-${this.run}`, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(this.ownerGroup));
      // A group a killed member still sits in cannot be deleted until its session timed out: best effort.
      if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
    await this.#admin?.exec(`DROP SCHEMA ${this.schema} CASCADE`);
    await this.#admin?.close();
  }

}

/** GetPresences of `userIds` as plain values (client_status without the empty platforms). */
export async function presencesOf(api: ServiceClient<typeof presenceV1.PresenceService>, userIds: readonly bigint[]): Promise<ObservedPresence[]> {
  const { presences } = await api.getPresences({ userIds: userIds.map(String) });
  return presences.map((p) => {
    const clientStatus: ObservedPresence['clientStatus'] = {};
    for (const platform of ['desktop', 'mobile', 'web'] as const) {
      const value = p.clientStatus?.[platform] ?? '';
      if (value !== '') clientStatus[platform] = value;
    }
    return { status: p.status, clientStatus };
  });
}

/**
 * Polls `read` until it equals `expected` (JSON-wise) or `timeoutMs` passed; resolves with the
 * last value read and when it first matched (undefined: never did). A read that fails (an instance
 * just died) counts as "not yet".
 */
export async function pollUntilEqual<T>(read: () => Promise<T>, expected: T, timeoutMs: number, everyMs = 100): Promise<{ last: T | undefined; matchedAt: number | undefined }> {
  const deadline = Date.now() + timeoutMs;
  const want = JSON.stringify(expected);
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (JSON.stringify(last) === want) return { last, matchedAt: Date.now() };
    } catch {
      // retried until the deadline
    }
    if (Date.now() > deadline) return { last, matchedAt: undefined };
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
