// Load forecast per feeder or transformer from its rollup history, with a backtest so the
// caller sees how good the baseline is (MAPE over the most recent horizons).
import type { FastifyInstance } from 'fastify';
import { gridError } from '../../app/errors.ts';
import { backtest, seasonalNaive, similarDay, type Point } from '../../domain/forecast.ts';
import { RESOLUTIONS, type Resolution, type StoreReader } from '../../adapters/store/store.ts';
import type { Topology } from '../../domain/topology.ts';
import { API_DECIMALS, iso } from './query-params.ts';
import { roundTo } from '../../domain/decimals.ts';

export interface ForecastOptions {
  store: StoreReader;
  topology: () => Topology;
  historyDays: number;
  now?: () => number;
}

interface ForecastQuery {
  feeder_id?: string;
  transformer_id?: string;
  method: 'seasonal-naive' | 'similar-day';
  horizon: number;
  resolution: Exclude<Resolution, '1d'>;
}

export function registerForecastRoutes(app: FastifyInstance, opts: ForecastOptions): void {
  const now = opts.now ?? Date.now;
  app.get<{ Querystring: ForecastQuery }>(
    '/v1/forecast',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            feeder_id: { type: 'string', maxLength: 64 },
            transformer_id: { type: 'string', maxLength: 64 },
            method: { type: 'string', enum: ['seasonal-naive', 'similar-day'], default: 'seasonal-naive' },
            horizon: { type: 'integer', minimum: 1, maximum: 672, default: 96 },
            resolution: { type: 'string', enum: ['15m', '1h'], default: '15m' },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      if ((q.feeder_id === undefined) === (q.transformer_id === undefined)) {
        throw gridError('SG_ERR_QUERY_INVALID', ['give exactly one of feeder_id or transformer_id']);
      }
      const topo = opts.topology();
      const level = q.feeder_id !== undefined ? 'feeder' : 'transformer';
      const id = (q.feeder_id ?? q.transformer_id)!;
      const known = level === 'feeder' ? topo.feederById.has(id) : topo.transformerById.has(id);
      if (!known) throw gridError('SG_ERR_NOT_FOUND', [`${level} ${id}`]);
      const intervalMs = RESOLUTIONS[q.resolution] * 1000;
      // History ends at the last complete bucket: a bucket still filling would bias the forecast.
      const to = now() - (now() % intervalMs);
      const rows = await opts.store.rollups({
        level,
        id,
        resolution: q.resolution,
        from: to - opts.historyDays * 86_400_000,
        to,
      });
      const history: Point[] = rows.map((r) => ({ ts: r.bucket, value: r.energyKwh }));
      if (history.length < 2)
        throw gridError('SG_ERR_NOT_FOUND', [`enough history for ${level} ${id} (need 2 buckets)`]);
      const forecast = (q.method === 'seasonal-naive' ? seasonalNaive : similarDay)(
        history,
        q.horizon,
        intervalMs,
      );
      const quality = backtest(history, q.method, { intervalMs, horizon: q.horizon });
      return {
        [`${level}_id`]: id,
        method: q.method,
        resolution: q.resolution,
        history_points: history.length,
        backtest: {
          mape_percent: Number.isFinite(quality.mape) ? quality.mape : null,
          folds: quality.folds,
          points: quality.points,
        },
        forecast: forecast.map((p) => ({ start: iso(p.ts), energy_kwh: roundTo(p.value, API_DECIMALS) })),
      };
    },
  );

  app.get('/v1/feeders', async () => {
    const topo = opts.topology();
    const counts = new Map<string, { transformers: number; meters: number }>();
    for (const t of topo.transformers) {
      const c = counts.get(t.feeder_id) ?? { transformers: 0, meters: 0 };
      c.transformers++;
      c.meters += topo.metersByTransformer.get(t.id)?.length ?? 0;
      counts.set(t.feeder_id, c);
    }
    return {
      feeders: topo.feeders.map((f) => ({
        id: f.id,
        substation_id: f.substation_id,
        ...(counts.get(f.id) ?? { transformers: 0, meters: 0 }),
      })),
    };
  });

  app.get<{ Querystring: { feeder_id?: string } }>(
    '/v1/transformers',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { feeder_id: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (req) => {
      const topo = opts.topology();
      const list = topo.transformers.filter(
        (t) => req.query.feeder_id === undefined || t.feeder_id === req.query.feeder_id,
      );
      return {
        transformers: list.map((t) => ({
          id: t.id,
          feeder_id: t.feeder_id,
          kva: t.kva,
          meters: topo.metersByTransformer.get(t.id)?.length ?? 0,
        })),
      };
    },
  );
}
