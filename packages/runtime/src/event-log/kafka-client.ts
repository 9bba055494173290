// The kafkajs client as the event log uses it: its logs routed to our logger (WARN and above,
// with kafkajs's per-request protocol chatter demoted), and sockets made through a factory that
// can cut every connection at once — how KafkaEventLog.crash() makes the process look dead to
// the broker (no LeaveGroup, no commit; the group notices after the session timeout).
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ISocketFactory, Kafka, KafkaConfig, logCreator, LogEntry, logLevel } from 'kafkajs';
import type { EventLogLogger } from './logger';

const KEEP_ALIVE_MS = 60_000;

export class SeverableSockets {
  private readonly open = new Set<net.Socket>();
  private severed = false;

  readonly factory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    if (this.severed) {
      const dead = new net.Socket();
      process.nextTick(() => dead.destroy(new Error('connection severed (simulated crash)')));
      return dead;
    }
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_MS);
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    return socket;
  };

  /** Destroys every open connection and refuses new ones. */
  sever(): void {
    this.severed = true;
    for (const socket of this.open) socket.destroy(new Error('connection severed (simulated crash)'));
    this.open.clear();
  }
}

// kafkajs: ERROR=1, WARN=2, INFO=4, DEBUG=5 (smaller is more severe).
function effectiveLevel(entry: LogEntry): logLevel {
  const { namespace, level, log } = entry;
  const message = log.message ?? '';
  // Every protocol error response is logged at ERROR by the connection, even the retriable ones
  // (coordinator loading, leader election): the caller retries and reports the final outcome.
  if (namespace === 'Connection' && message.startsWith('Response')) return logLevel.DEBUG;
  if (namespace === 'Runner' && message.startsWith('The group is rebalancing')) return logLevel.INFO;
  if (namespace === 'Producer' && message.startsWith('Limiting retries for the idempotent producer')) return logLevel.DEBUG;
  // A failed attempt that will be retried (leader moved, broker restarting); produce() reports
  // the final failure to its caller.
  if (namespace === 'Producer' && message.startsWith('Failed to send messages')) return Math.max(level, logLevel.WARN);
  // A consumer crash is reported by KafkaSubscription (ERROR when kafkajs gives up, WARN when it
  // restarts the consumer, e.g. "coordinator is loading" on a freshly started broker).
  if (namespace === 'Consumer' && (message.startsWith('Crash:') || message.startsWith('Restarting the consumer'))) {
    return Math.max(level, logLevel.WARN);
  }
  return level;
}

export function kafkaLogCreator(logger: EventLogLogger, minLevel: logLevel, quiet: () => boolean): logCreator {
  return () => (entry) => {
    // While closing or crashing on purpose, the connection errors that follow are expected.
    const level = quiet() ? logLevel.DEBUG : effectiveLevel(entry);
    if (level > minLevel) return;
    const { message, timestamp: _timestamp, logger: _name, stack, ...fields } = entry.log as LogEntry['log'] & {
      logger?: string;
      stack?: string;
    };
    if (level <= logLevel.ERROR && stack) fields.stack = stack;
    const obj = { kafkajs: entry.namespace, ...fields };
    if (level <= logLevel.ERROR) logger.error(obj, message);
    else if (level <= logLevel.WARN) logger.warn(obj, message);
    else if (level <= logLevel.INFO) logger.info(obj, message);
    else logger.debug(obj, message);
  };
}

export type KafkaClientConfig = Pick<KafkaConfig, 'ssl' | 'sasl' | 'connectionTimeout' | 'requestTimeout' | 'retry'>;

export function createKafkaClient(options: {
  brokers: string[];
  clientId: string;
  logger: EventLogLogger;
  minLogLevel: logLevel;
  quiet: () => boolean;
  sockets: SeverableSockets;
  config?: KafkaClientConfig;
}): Kafka {
  return new Kafka({
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    ...options.config,
    brokers: options.brokers,
    clientId: options.clientId,
    logLevel: options.minLogLevel,
    logCreator: kafkaLogCreator(options.logger, options.minLogLevel, options.quiet),
    socketFactory: options.sockets.factory,
  });
}
