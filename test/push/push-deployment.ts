// A push deployment of real processes for tests: push service instances started from the built
// services/push/dist/main.js (as Kubernetes runs them) against the real Kafka broker and one fresh
// PostgreSQL schema, delivering to the local FCM and APNs fakes that run in the test process. The
// requests topic, its dead-letter topic and the consumer group are this run's own. One object per
// test file; close() stops what is left, deletes the run's group and topics and drops the schema.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { toBinary } from '@bufbuild/protobuf';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, Consumer, IHeaders } from 'kafkajs';
import { pushV1 } from '@switchboard/proto';
import { closeClient, createClient, deadLetterTopicFor, KafkaEventLog, openDatabase, silentEventLogLogger } from '@switchboard/runtime';
import type { Database, ServiceClient } from '@switchboard/runtime';
import { FakeApns, FakeFcm, generateApnsKey, generateServiceAccount } from '../../services/push/src/testing';
import type { FaultInjector } from '../../services/push/src/testing';
import { requireDatabaseUrl, requireKafkaBrokers } from '../support/backing-services';
import { builtEntryPoint, dumpProcessLogs, startProcess, stopAll } from '../support/processes';
import type { RunningProcess } from '../support/processes';

export const FCM_APP_ID = 'android';
export const APNS_APP_ID = 'ios';
const BUNDLE_ID = 'com.example.switchboard';

export type PushApi = ServiceClient<typeof pushV1.PushService>;

export interface PushProcess {
  readonly name: string;
  readonly process: RunningProcess;
  readonly api: PushApi;
}

/** A record read back from the dead-letter topic. */
export interface DeadLetter {
  partition: number;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface PushDeploymentOptions {
  partitions: number;
  /** Delay of every fake provider answer. */
  providerLatencyMs: number;
  fcmFaults: FaultInjector;
  apnsFaults: FaultInjector;
  /** PUSH_* settings (and any other variable) for every instance. */
  env: Record<string, string>;
}

export class PushDeployment {
  readonly run = randomBytes(4).toString('hex');
  readonly schema = `test_push_procs_${this.run}`;
  readonly requestsTopic = `test.push.requests.${this.run}`;
  readonly deadLetterTopic = deadLetterTopicFor(this.requestsTopic);
  readonly group = `test-push-delivery-${this.run}`;
  readonly deadLetters: DeadLetter[] = [];
  fcm!: FakeFcm;
  apns!: FakeApns;
  #appsJson = '';
  #admin: Database | undefined;
  #kafkaAdmin: Admin | undefined;
  #eventLog: KafkaEventLog | undefined;
  #dlqConsumer: Consumer | undefined;
  /** Every instance started, from its spawn on (one that never served still gets stopped). */
  readonly #processes: { name: string; process: RunningProcess; api?: PushApi }[] = [];
  readonly #kafka = new Kafka({ brokers: requireKafkaBrokers(), clientId: `push-test-${this.run}`, logLevel: logLevel.NOTHING });

  constructor(readonly options: PushDeploymentOptions) {}

  /** Schema, fakes with the apps' credentials, the topics, and a reader of the dead-letter topic. */
  async open(): Promise<void> {
    this.#admin = await openDatabase({ url: requireDatabaseUrl(), poolSize: 1 });
    await this.#admin.exec(`CREATE SCHEMA ${this.schema}`);
    const { providerLatencyMs: latencyMs } = this.options;
    // The bench turns recording off; here every delivered message is what the test checks.
    this.fcm = await FakeFcm.start({ latencyMs, faults: this.options.fcmFaults, recordMessages: true });
    this.apns = await FakeApns.start({ latencyMs, faults: this.options.apnsFaults, recordMessages: true });
    const account = generateServiceAccount({ tokenUri: this.fcm.tokenUri, projectId: 'switchboard-burst' });
    this.fcm.addServiceAccount(account.serviceAccount.client_email, account.publicKey, [account.projectId]);
    const key = generateApnsKey();
    this.apns.addKey({ teamId: key.teamId, keyId: key.keyId, publicKey: key.publicKey, topics: [BUNDLE_ID] });
    this.#appsJson = JSON.stringify([
      { app_id: FCM_APP_ID, platform: 'fcm', service_account: account.serviceAccount },
      { app_id: APNS_APP_ID, platform: 'apns', team_id: key.teamId, key_id: key.keyId, private_key: key.privateKeyPem, bundle_id: BUNDLE_ID },
    ]);
    this.#eventLog = new KafkaEventLog({ brokers: requireKafkaBrokers(), clientId: `push-test-producer-${this.run}`, logger: silentEventLogLogger });
    await this.#eventLog.ensureTopics([{ name: this.requestsTopic, partitions: this.options.partitions, deadLetter: true }]);
    this.#kafkaAdmin = this.#kafka.admin();
    await this.#kafkaAdmin.connect();
    await this.#readDeadLetters();
  }

  async #readDeadLetters(): Promise<void> {
    const consumer = this.#kafka.consumer({ groupId: `${this.group}-dlq-reader`, sessionTimeout: 6_000 });
    this.#dlqConsumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.deadLetterTopic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        this.deadLetters.push({ partition, key: message.key?.toString() ?? '', value: message.value ?? Buffer.alloc(0), headers: textHeaders(message.headers) });
      },
    });
  }

  /** Starts an instance and resolves once it serves gRPC. Every instance is a member of the same group. */
  async startInstance(name: string): Promise<PushProcess> {
    const url = new URL(requireDatabaseUrl());
    url.searchParams.set('options', `-c search_path=${this.schema}`);
    const running = startProcess(builtEntryPoint('services/push/dist/main.js'), {
      SWITCHBOARD_MODE: 'cluster',
      SWITCHBOARD_INSTANCE_ID: `${name}-${this.run}`,
      SWITCHBOARD_BIND_HOST: '127.0.0.1',
      SWITCHBOARD_SHUTDOWN_GRACE: '3s',
      KAFKA_BROKERS: requireKafkaBrokers().join(','),
      DATABASE_URL: url.toString(),
      PUSH_GRPC_PORT: '0',
      PUSH_HTTP_PORT: '0',
      PUSH_REQUESTS_TOPIC: this.requestsTopic,
      PUSH_REQUESTS_PARTITIONS: String(this.options.partitions),
      PUSH_CONSUMER_GROUP: this.group,
      PUSH_APPS: this.#appsJson,
      PUSH_FCM_BASE_URL: this.fcm.url,
      PUSH_APNS_BASE_URL: this.apns.url,
      LOG_LEVEL: 'info',
      ...this.options.env,
    });
    const instance: { name: string; process: RunningProcess; api?: PushApi } = { name, process: running };
    this.#processes.push(instance);
    const serving = JSON.parse(await running.waitFor(/"msg":"serving"/, 60_000)) as { grpcPort: number };
    instance.api = createClient(pushV1.PushService, `127.0.0.1:${serving.grpcPort}`, { defaultTimeoutMs: 15_000 });
    return { name, process: running, api: instance.api };
  }

  /** Produces every request keyed by its user (as the guild service does), in chunks produced at once. */
  async produce(requests: pushV1.PushRequest[], chunk = 250): Promise<void> {
    const chunks: pushV1.PushRequest[][] = [];
    for (let i = 0; i < requests.length; i += chunk) chunks.push(requests.slice(i, i + chunk));
    await Promise.all(chunks.map((list) =>
      this.#eventLog!.produce(this.requestsTopic, list.map((r) => ({ key: r.userId, value: toBinary(pushV1.PushRequestSchema, r) })))));
  }

  /** True once the group committed every record of the requests topic (all of them settled). */
  async allCommitted(): Promise<boolean> {
    const admin = this.#kafkaAdmin!;
    const ends = await admin.fetchTopicOffsets(this.requestsTopic);
    const [committed] = await admin.fetchOffsets({ groupId: this.group, topics: [this.requestsTopic] });
    const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    return ends.every((p) => (at.get(p.partition) ?? -1n) >= BigInt(p.high));
  }

  /** True once the dead-letter reader holds every record the dead-letter topic has now. */
  async deadLettersReadToEnd(): Promise<boolean> {
    const ends = await this.#kafkaAdmin!.fetchTopicOffsets(this.deadLetterTopic);
    const total = ends.reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0);
    return this.deadLetters.length >= total;
  }

  /** Stops what still runs (SIGTERM, then SIGKILL), deletes the run's groups and topics, drops the schema. */
  async close(): Promise<void> {
    for (const { api } of this.#processes) if (api) closeClient(api);
    await stopAll(this.#processes);
    dumpProcessLogs(this.#processes, this.run, 'push-');
    await this.#dlqConsumer?.disconnect().catch(() => undefined);
    await this.#eventLog?.close().catch(() => undefined);
    if (this.#kafkaAdmin) {
      // Best effort: a group a killed member still sits in cannot be deleted until its session ends.
      await this.#kafkaAdmin.deleteGroups([this.group, `${this.group}-dlq-reader`]).catch(() => undefined);
      await this.#kafkaAdmin.deleteTopics({ topics: [this.requestsTopic, this.deadLetterTopic] }).catch(() => undefined);
      await this.#kafkaAdmin.disconnect();
    }
    await this.fcm?.close();
    await this.apns?.close();
    await this.#admin?.exec(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
    await this.#admin?.close();
  }

}

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}
