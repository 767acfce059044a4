// POST /v1/readings: validate the whole batch, publish it durably to the bus, then answer 202.
// All-or-nothing per request: a batch with one bad item stores nothing, so a client can fix
// and resend the same batch without creating duplicates (the store is idempotent anyway).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { gridError } from '../../app/errors.ts';
import { busKey, type Topology } from '../../domain/topology.ts';
import type { BusProducer, BusRecord } from '../../adapters/bus/bus.ts';
import { encodeReading } from '../../adapters/bus/reading-codec.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import { readingItemJsonSchema, validateItems } from './reading-schema.ts';

export interface IngestOptions {
  producer: BusProducer;
  /** The processors' consumer group, whose lag drives back-pressure. */
  group: string;
  metrics: Metrics;
  /** Partition keys come from it: a transformer's readings share a partition (see busKey). */
  topology: () => Topology;
  maxBatchItems: number;
  maxBusLag: number;
  now?: () => number;
}

const acceptedSchema = {
  202: {
    type: 'object',
    properties: { accepted: { type: 'integer' }, meters: { type: 'integer' }, sensors: { type: 'integer' } },
  },
};

export function registerIngestRoutes(app: FastifyInstance, opts: IngestOptions) {
  const now = opts.now ?? Date.now;
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;
  // The lag is read at most every 200 ms: back-pressure needs a trend, not a per-request query.
  let lag = 0;
  let lagReadAt = 0;
  const currentLag = async () => {
    if (now() - lagReadAt > 200) {
      lagReadAt = now();
      try {
        lag = await opts.producer.lag(opts.group);
        opts.metrics.busLag.set(lag);
      } catch {
        // The lag is advisory; when the bus cannot say, publish itself decides (and answers 503).
      }
    }
    return lag;
  };

  // The JSON Schema of one item, for client authors.
  app.get('/v1/schema/reading', async () => readingItemJsonSchema);

  app.post(
    '/v1/readings',
    {
      schema: { response: acceptedSchema },
    },
    async (request, reply) => {
      if (draining) throw gridError('SG_ERR_NOT_READY', ['shutting down'], { retryAfterSeconds: 1 });
      // Counted from here, not from the publish: a batch that passed the check above and then
      // awaits the lag must not find the bus already closed by a drain that saw nothing running.
      inFlight++;
      try {
        return await accept(request, reply);
      } finally {
        inFlight--;
        if (inFlight === 0) idle?.();
      }
    },
  );

  async function accept(request: FastifyRequest, reply: FastifyReply) {
    // request.body, not a local: see publishBody for why this function holds no batch data.
    if (!Array.isArray(request.body)) {
      throw gridError('SG_ERR_BODY_INVALID', ['the body must be a JSON array (or NDJSON lines) of readings']);
    }
    if (request.body.length === 0) throw gridError('SG_ERR_BODY_INVALID', ['the batch is empty']);
    if (request.body.length > opts.maxBatchItems) {
      throw gridError('SG_ERR_BATCH_TOO_LARGE', [String(request.body.length), String(opts.maxBatchItems)]);
    }
    const pending = await currentLag();
    if (pending > opts.maxBusLag) {
      opts.metrics.ingestOverload.inc();
      throw gridError('SG_ERR_OVERLOADED', [`${pending} readings await processing`], {
        retryAfterSeconds: 5,
      });
    }
    const { count, meters, published } = publishBody(request);
    try {
      await published;
    } catch (err) {
      // A broker that refused or timed out may still have taken part of the batch; the client
      // retries the whole batch and the store's idempotence makes that safe.
      opts.metrics.ingestRejected.inc({ reason: 'bus_unavailable' }, count);
      throw gridError('SG_ERR_BUS_UNAVAILABLE', [(err as Error).message], {
        cause: err,
        retryAfterSeconds: 2,
      });
    }
    lag += count;
    opts.metrics.busPublished.inc(count);
    opts.metrics.ingestReadings.inc({ kind: 'meter' }, meters);
    opts.metrics.ingestReadings.inc({ kind: 'sensor' }, count - meters);
    opts.metrics.ingestBatchSize.observe(count);
    return reply.code(202).send({ accepted: count, meters, sensors: count - meters });
  }

  /**
   * Validates the body and hands its records to the bus; returns only counts and the publish.
   * A plain function, not part of accept(): an async function keeps its locals until it
   * returns, so the parsed body, the readings and the records would live until the durable
   * commit answers (an fsync away), outlive young collections by the thousand and be promoted
   * (measured: most of the ingest thread's garbage collection time). Here they are garbage as
   * soon as the bus has taken them.
   */
  function publishBody(request: FastifyRequest): { count: number; meters: number; published: Promise<void> } {
    const body = request.body as unknown[];
    (request as { body: unknown }).body = undefined;
    const { readings, errors, invalidItems } = validateItems(body, now());
    if (invalidItems > 0) {
      opts.metrics.ingestRejected.inc({ reason: 'validation' }, invalidItems);
      throw gridError('SG_ERR_VALIDATION', [String(invalidItems)], { details: errors });
    }
    const traceparent = request.headers.traceparent;
    const headers = typeof traceparent === 'string' ? { traceparent } : undefined;
    let meters = 0;
    const topology = opts.topology();
    const records: BusRecord[] = readings.map((r) => {
      if (r.kind === 'meter') meters++;
      const rec: BusRecord = { key: busKey(topology, r), value: encodeReading(r) };
      if (headers) rec.headers = headers;
      return rec;
    });
    return { count: readings.length, meters, published: opts.producer.publish(records) };
  }

  return {
    /** Refuses new batches and waits until every batch already admitted has been answered. */
    async drain(): Promise<void> {
      draining = true;
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => (idle = resolve));
    },
  };
}
