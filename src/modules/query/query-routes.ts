// Read API over the store: readings, rollups, feeder and transformer load, events, anomalies.
// Answers are cached (read-through) until the TTL or the next committed batch, whichever is first.
import type { FastifyInstance } from 'fastify';
import { gridError } from '../../app/errors.ts';
import { qualityNames } from '../../domain/readings.ts';
import type { Topology } from '../../domain/topology.ts';
import { transformerLoading } from '../../domain/transformer-loading.ts';
import {
  RESOLUTIONS,
  type Resolution,
  type RollupLevel,
  type RollupRow,
  type StoreReader,
} from '../../adapters/store/store.ts';
import { decodeCursor, encodeCursor } from '../../adapters/store/store-rows.ts';
import type { Cache } from '../../adapters/cache/cache.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import {
  API_DECIMALS,
  iso,
  pageProps,
  parseRange,
  rangeProps,
  resolutionProp,
  type RangeQuery,
} from './query-params.ts';
import { roundTo } from '../../domain/decimals.ts';

export interface QueryOptions {
  store: StoreReader;
  cache: Cache;
  metrics: Metrics;
  topology: () => Topology;
  maxRangeDays: number;
  maxLimit: number;
  cacheTtlMs: number;
  now?: () => number;
}

type Page = RangeQuery & { limit: number; cursor?: string };

export function registerQueryRoutes(app: FastifyInstance, opts: QueryOptions): void {
  const now = opts.now ?? Date.now;
  const range = (q: RangeQuery) => parseRange(q, now(), opts.maxRangeDays);
  const cached = async <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    const hit = await opts.cache.get<T>(key);
    opts.metrics.cacheRequests.inc({ result: hit === undefined ? 'miss' : 'hit' });
    if (hit !== undefined) return hit;
    const value = await compute();
    await opts.cache.set(key, value, opts.cacheTtlMs);
    return value;
  };
  const idParam = {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', maxLength: 64 } },
  } as const;
  const rollupQuery = {
    type: 'object',
    additionalProperties: false,
    properties: { ...rangeProps, resolution: resolutionProp },
  } as const;
  // Sums are rounded to API_DECIMALS: a thousandth of a watt-hour is below any meter's resolution,
  // and what is left beyond it is the binary noise of adding floats.
  const buckets = (rows: RollupRow[], seconds: number) =>
    rows.map((r) => ({
      start: iso(r.bucket),
      energy_kwh: roundTo(r.energyKwh, API_DECIMALS),
      avg_kw: roundTo(r.energyKwh / (seconds / 3600), API_DECIMALS),
      readings: r.readings,
      estimated: r.estimated,
    }));

  app.get<{ Params: { id: string }; Querystring: Page & { obis?: string } }>(
    '/v1/meters/:id/readings',
    {
      schema: {
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...rangeProps, ...pageProps(opts.maxLimit), obis: { type: 'string', maxLength: 32 } },
        },
      },
    },
    async (req) => {
      const { from, to } = range(req.query);
      const after = req.query.cursor !== undefined ? Number(req.query.cursor) : undefined;
      if (after !== undefined && !Number.isFinite(after))
        throw gridError('SG_ERR_QUERY_INVALID', ['cursor is malformed']);
      const rows = await opts.store.readings({
        meterId: req.params.id,
        from,
        to,
        limit: req.query.limit,
        ...(req.query.obis ? { obis: req.query.obis } : {}),
        ...(after !== undefined ? { after } : {}),
      });
      const last = rows.at(-1);
      return {
        meter_id: req.params.id,
        readings: rows.map((r) => ({
          obis: r.obis,
          interval_start: iso(r.intervalStart),
          interval_s: r.intervalSeconds,
          value: r.value,
          raw_value: r.rawValue,
          unit: r.unit,
          quality: qualityNames(r.quality),
        })),
        next_cursor: rows.length === req.query.limit && last ? String(last.intervalStart) : null,
      };
    },
  );

  type RollupRequest = {
    params: { id: string };
    query: RangeQuery & { resolution: Resolution };
    url: string;
  };
  /** The answer of every rollup endpoint: the subject's buckets; a transformer adds its rating. */
  const rollupAnswer = (
    level: RollupLevel,
    req: RollupRequest,
    rating?: { feeder_id: string; kva: number },
  ) => {
    const { from, to } = range(req.query);
    const seconds = RESOLUTIONS[req.query.resolution];
    return cached(req.url, async () => {
      const rows = await opts.store.rollups({
        level,
        id: req.params.id,
        resolution: req.query.resolution,
        from,
        to,
      });
      const list = buckets(rows, seconds);
      return {
        [`${level}_id`]: req.params.id,
        ...rating,
        resolution: req.query.resolution,
        from: iso(from),
        to: iso(to),
        buckets: rating
          ? list.map((b, k) => ({
              ...b,
              loading_ratio: roundTo(
                transformerLoading(rows[k]!.energyKwh, seconds, rating.kva).loadingRatio,
                API_DECIMALS,
              ),
            }))
          : list,
      };
    });
  };
  type RollupRoute = { Params: { id: string }; Querystring: RangeQuery & { resolution: Resolution } };
  const rollupSchema = { schema: { params: idParam, querystring: rollupQuery } };

  app.get<RollupRoute>('/v1/meters/:id/rollups', rollupSchema, async (req) => rollupAnswer('meter', req));

  app.get<RollupRoute>('/v1/feeders/:id/load', rollupSchema, async (req) => {
    if (!opts.topology().feederById.has(req.params.id))
      throw gridError('SG_ERR_NOT_FOUND', [`feeder ${req.params.id}`]);
    return rollupAnswer('feeder', req);
  });

  app.get<RollupRoute>('/v1/transformers/:id/load', rollupSchema, async (req) => {
    const tx = opts.topology().transformerById.get(req.params.id);
    if (!tx) throw gridError('SG_ERR_NOT_FOUND', [`transformer ${req.params.id}`]);
    return rollupAnswer('transformer', req, { feeder_id: tx.feeder_id, kva: tx.kva });
  });

  const eventsHandler =
    (fixedTypes?: string[]) => async (req: { query: Page & { type?: string; subject_id?: string } }) => {
      const { from, to } = range(req.query);
      if (req.query.cursor !== undefined) {
        try {
          decodeCursor(req.query.cursor);
        } catch {
          throw gridError('SG_ERR_QUERY_INVALID', ['cursor is malformed']);
        }
      }
      const types = fixedTypes ?? (req.query.type ? req.query.type.split(',') : undefined);
      const events = await opts.store.events({
        from,
        to,
        limit: req.query.limit,
        ...(types ? { types } : {}),
        ...(req.query.subject_id ? { subjectId: req.query.subject_id } : {}),
        ...(req.query.cursor ? { after: req.query.cursor } : {}),
      });
      const last = events.at(-1);
      return {
        events: events.map((e) => ({
          id: e.id,
          type: e.type,
          subject_kind: e.subjectKind,
          subject_id: e.subjectId,
          start: iso(e.start),
          end: e.end !== undefined ? iso(e.end) : null,
          severity: e.severity,
          value: e.value ?? null,
          detail: e.detail,
        })),
        next_cursor: events.length === req.query.limit && last ? encodeCursor(last) : null,
      };
    };
  const eventsQuery = {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...rangeProps,
      ...pageProps(opts.maxLimit),
      type: { type: 'string', maxLength: 256 },
      subject_id: { type: 'string', maxLength: 64 },
    },
  } as const;
  app.get<{ Querystring: Page & { type?: string; subject_id?: string } }>(
    '/v1/events',
    { schema: { querystring: eventsQuery } },
    eventsHandler(),
  );
  app.get<{ Querystring: Page & { type?: string; subject_id?: string } }>(
    '/v1/anomalies',
    { schema: { querystring: eventsQuery } },
    eventsHandler(['anomaly']),
  );

  app.get('/v1/stats', async () => {
    const s = await opts.store.stats();
    return {
      watermark: s.watermark !== null ? iso(s.watermark) : null,
      meter_readings: s.meterReadings,
      sensor_readings: s.sensorReadings,
      unknown_device_readings: s.unknownReadings,
      events: s.events,
    };
  });
}
