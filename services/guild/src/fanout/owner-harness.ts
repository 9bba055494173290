// Test support: a partition owner on the in-memory event log with real gRPC Fanout streams, for
// suites that publish guild events and watch what fake gateways receive.
import { MemoryEventLog, Registry, silentEventLogLogger, SnowflakeGenerator } from '@switchboard/runtime';
import type { ProducedRecord } from '@switchboard/runtime';
import { EventLogGuildEventPublisher, guildEvent, guildTopicSpecs } from '../events';
import type { GuildEventInit } from '../events';
import { DEFAULT_OWNER_GROUP_ID } from './guild-owner';
import { createFanout } from './index';
import type { Fanout, FanoutOptions } from './index';
import { FakeGateway, recordingLogger, startFanoutServer } from './fanout-test-support';
import type { FanoutServer, LogLine } from './fanout-test-support';
import type { ScopeStateLoader } from './scope-state';

export const HARNESS_PARTITIONS = 4;

export interface OwnerHarness {
  log: MemoryEventLog;
  fanout: Fanout;
  server: FanoutServer;
  registry: Registry;
  lines: LogLine[];
  publish(init: GuildEventInit): Promise<ProducedRecord>;
  /** A fake gateway that said hello. */
  gateway(id: string): FakeGateway;
  committed(record: ProducedRecord): boolean;
  close(): Promise<void>;
}

export type HarnessOptions = Partial<Omit<FanoutOptions, 'eventLog' | 'loader' | 'registry' | 'logger'>> & {
  /** Whether to join the owners' group (default true; false: an instance that owns nothing). */
  own?: boolean;
  /** Share another harness's log (a second instance). */
  log?: MemoryEventLog;
};

export async function startOwnerHarness(loader: ScopeStateLoader, options: HarnessOptions = {}): Promise<OwnerHarness> {
  const { own = true, log: shared, ...rest } = options;
  const log = shared ?? new MemoryEventLog({ logger: silentEventLogLogger });
  if (!shared) await log.ensureTopics(guildTopicSpecs(HARNESS_PARTITIONS));
  const registry = new Registry();
  const { logger, lines } = recordingLogger();
  const fanout = createFanout({ eventLog: log, loader, registry, logger, ackTimeoutMs: 30_000, maxAttempts: 2, ...rest });
  const server = await startFanoutServer(fanout.handler);
  if (own) await fanout.start();
  const publisher = new EventLogGuildEventPublisher(log);
  const ids = new SnowflakeGenerator({ workerId: 1, processId: 1 });
  const gateways: FakeGateway[] = [];
  return {
    log, fanout, server, registry, lines,
    publish: async (init) => (await publisher.publish([guildEvent(init, ids)]))[0]!,
    gateway: (id) => {
      const gw = new FakeGateway(server.address, id);
      gateways.push(gw);
      gw.hello();
      return gw;
    },
    committed: (record) =>
      (log.broker.group(DEFAULT_OWNER_GROUP_ID).committedOffset({ topic: record.topic, partition: record.partition }) ?? 0) >
      Number(record.offset),
    close: async () => {
      for (const gw of gateways) gw.close();
      await fanout.stop();
      server.stop();
      if (!shared) await log.close();
    },
  };
}
