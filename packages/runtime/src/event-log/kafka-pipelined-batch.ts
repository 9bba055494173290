// Pipelined handling of one kafkajs batch (SubscribeOptions.inFlightPerPartition > 1): records
// are started in offset order while earlier ones still run, up to the partition's window (and the
// subscription's maxInFlight); an offset is resolved only once every record up to it settled.
//
// Why the batch is finished before eachBatch returns: kafkajs fetches a partition again from its
// last *resolved* offset, so returning with records still running would fetch them a second time.
// Waiting for a free slot or for the batch's last records, the member keeps heartbeating so the
// group does not think it died. A rebalance (heartbeat error) or a failed delivery stops new
// records from starting; those in flight finish (or are abandoned by stop/disconnect), their
// settled prefix is resolved, and the error goes to kafkajs, which commits and rejoins.
import type { EachBatchPayload } from 'kafkajs';
import type { ConsumedRecord } from './event-log';
import type { DeliveryOutcome } from './delivery';
import { PartitionPipeline, PipelineSettings } from './partition-pipeline';
import { toConsumedRecord } from './kafka-records';
import { onAbort } from '../streams/abort-registry';

export interface PipelinedBatch {
  payload: EachBatchPayload;
  settings: PipelineSettings;
  /** deliverRecord with the subscription's policy, this batch's heartbeat and the abandon signal. */
  deliver(record: ConsumedRecord): Promise<DeliveryOutcome>;
  /** Aborted when the subscription stops: start nothing more, let in-flight records finish. */
  stopped: AbortSignal;
  heartbeatIntervalMs: number;
}

/** Settles like `promise`, heartbeating every `intervalMs` meanwhile; heartbeat errors go to `onError`. */
async function keepingAlive<T>(
  promise: Promise<T>,
  heartbeat: () => Promise<void>,
  intervalMs: number,
  onError: (err: unknown) => void,
): Promise<T> {
  let settled = false;
  const done = promise.finally(() => (settled = true));
  let beating = true;
  while (!settled) {
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<void>((resolve) => (timer = setTimeout(resolve, intervalMs)));
    await Promise.race([done.then(() => undefined, () => undefined), tick]);
    clearTimeout(timer);
    if (settled || !beating) continue;
    try {
      await heartbeat();
    } catch (err) {
      beating = false; // rebalancing: further heartbeats fail the same way
      onError(err);
    }
  }
  return done;
}

/** Why a batch stops starting records: the member stops, a record was abandoned, or an error (rethrown at the end). */
class Halt {
  private readonly controller = new AbortController();
  private failure?: { error: unknown };
  readonly signal = this.controller.signal;

  stop(): void {
    this.controller.abort();
  }

  fail(error: unknown): void {
    this.failure ??= { error };
    this.controller.abort();
  }

  rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}

export async function handlePipelinedBatch(batchRun: PipelinedBatch): Promise<void> {
  const { heartbeat } = batchRun.payload;
  const pipeline = new PartitionPipeline(batchRun.settings.perPartition, batchRun.settings.limit);
  const halt = new Halt();
  // Stopping the member halts the batch (a callback disposed afterwards, not AbortSignal.any,
  // whose followers of the member-long signal would pile up until garbage collection).
  const dispose = onAbort(batchRun.stopped, () => halt.stop());
  try {
    await startInOrder(batchRun, pipeline, halt);
    await keepingAlive(pipeline.idle(), heartbeat, batchRun.heartbeatIntervalMs, (err) => halt.fail(err));
  } finally {
    dispose();
  }
  halt.rethrow();
}

/** Starts the batch's records in offset order as the pipeline makes room, until halted. */
async function startInOrder(batchRun: PipelinedBatch, pipeline: PartitionPipeline, halt: Halt): Promise<void> {
  const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = batchRun.payload;
  const fail = (err: unknown) => halt.fail(err);
  for (const message of batch.messages) {
    if (halt.signal.aborted || !isRunning() || isStale()) break;
    if (!pipeline.tryReserve(message.offset)) {
      const room = pipeline.reserve(message.offset, halt.signal);
      if (!(await keepingAlive(room, heartbeat, batchRun.heartbeatIntervalMs, fail))) break;
    }
    const record = toConsumedRecord(batch.topic, batch.partition, message);
    batchRun.deliver(record).then(
      (outcome) => {
        const through = pipeline.finish(message.offset, outcome !== 'abandoned');
        if (through !== undefined) resolveOffset(through);
        if (outcome === 'abandoned') halt.stop();
      },
      (err: unknown) => {
        pipeline.finish(message.offset, false);
        fail(err);
      },
    );
    try {
      await commitOffsetsIfNecessary();
    } catch (err) {
      fail(err);
    }
  }
}
