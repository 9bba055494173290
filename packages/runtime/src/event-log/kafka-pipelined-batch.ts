// Pipelined handling of one kafkajs batch (SubscribeOptions.inFlightPerPartition > 1): records
// are started in offset order while earlier ones still run, up to the partition's window (and the
// subscription's maxInFlight); an offset is resolved only once every record up to it settled.
//
// Why the batch is finished before eachBatch returns: kafkajs fetches a partition again from its
// last *resolved* offset, so returning with records still running would fetch them a second time.
// While the batch runs (waiting for a free slot or for its last records) the member keeps
// heartbeating so the group does not think it died. A rebalance (heartbeat error) or a failed delivery stops new
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

/**
 * Heartbeats every `intervalMs` while a batch runs (kafkajs sends one only when its own interval
 * elapsed), one at a time; the first error (the group is rebalancing) goes to `onError` and ends
 * the beating. One timer per batch rather than one per wait: with a full window every record
 * waits for room, and a timer and a race per record showed up in the push service's profile.
 */
class Heartbeat {
  private readonly timer: NodeJS.Timeout;
  private beating = true;
  private pending = false;

  constructor(heartbeat: () => Promise<void>, intervalMs: number, onError: (err: unknown) => void) {
    this.timer = setInterval(() => {
      if (!this.beating || this.pending) return;
      this.pending = true;
      heartbeat().then(
        () => (this.pending = false),
        (err: unknown) => {
          this.pending = false;
          if (!this.beating) return;
          this.beating = false; // rebalancing: further heartbeats fail the same way
          onError(err);
        },
      );
    }, intervalMs);
  }

  stop(): void {
    this.beating = false;
    clearInterval(this.timer);
  }
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

/** How often a running batch lets kafkajs commit what was resolved (its autoCommitInterval decides whether it does). */
const COMMIT_CHECK_MS = 100;

export async function handlePipelinedBatch(batchRun: PipelinedBatch): Promise<void> {
  const { heartbeat } = batchRun.payload;
  const pipeline = new PartitionPipeline(batchRun.settings.perPartition, batchRun.settings.limit);
  const halt = new Halt();
  // Stopping the member halts the batch (a callback disposed afterwards, not AbortSignal.any,
  // whose followers of the member-long signal would pile up until garbage collection).
  const dispose = onAbort(batchRun.stopped, () => halt.stop());
  const beat = new Heartbeat(heartbeat, batchRun.heartbeatIntervalMs, (err) => halt.fail(err));
  try {
    await startInOrder(batchRun, pipeline, halt);
    await pipeline.idle();
  } finally {
    beat.stop();
    dispose();
  }
  halt.rethrow();
}

/** Starts the batch's records in offset order as the pipeline makes room, until halted. */
async function startInOrder(batchRun: PipelinedBatch, pipeline: PartitionPipeline, halt: Halt): Promise<void> {
  const { batch, resolveOffset, isRunning, isStale, commitOffsetsIfNecessary } = batchRun.payload;
  const fail = (err: unknown) => halt.fail(err);
  let committedAt = Date.now();
  for (const message of batch.messages) {
    if (halt.signal.aborted || !isRunning() || isStale()) break;
    if (!pipeline.tryReserve(message.offset) && !(await pipeline.reserve(message.offset, halt.signal))) break;
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
    // kafkajs commits only every autoCommitInterval anyway: asking after every record cost an
    // await per record for nothing.
    if (Date.now() - committedAt < COMMIT_CHECK_MS) continue;
    committedAt = Date.now();
    try {
      await commitOffsetsIfNecessary();
    } catch (err) {
      fail(err);
    }
  }
}
