// The event log contract against the in-memory implementation (`make dev`), with several clients
// sharing one MemoryBroker the way several processes share one Kafka cluster.
import { defineEventLogContract, EventLogHarness } from './event-log.contract';
import { testLogger } from './event-log.contract-support';
import { MemoryBroker } from './memory-broker';
import { MemoryEventLog } from './memory-event-log';

function memoryHarness(): EventLogHarness {
  const broker = new MemoryBroker();
  const clients: MemoryEventLog[] = [];
  return {
    async client() {
      const log = new MemoryEventLog({ broker, logger: testLogger, rebalanceTimeoutMs: 2_000 });
      clients.push(log);
      return log;
    },
    async closeClients() {
      await Promise.all(clients.splice(0).map((log) => log.close()));
    },
  };
}

defineEventLogContract('event log contract (memory, in-process)', memoryHarness, { deathMs: 5_000, eventMs: 5_000 });
