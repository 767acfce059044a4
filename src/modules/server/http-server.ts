// The HTTP server every target shares: coded errors, RED metrics per route, API-key auth on
// every route not marked public, and the health endpoints.
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import { gridError, isGridOpsError, type ErrorDetail } from '../../app/errors.ts';
import type { ApiKeys } from '../../app/api-keys.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { ModuleStatus } from '../../app/module-manager.ts';
import { registerBodyParsers } from './body-parsers.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without an API key (health probes). */
    public?: boolean;
  }
}

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  keys: ApiKeys;
  bodyLimit: number;
  metricsAuth: boolean;
  status: () => ModuleStatus[];
}

/** The property an ajv error is about (missing or unexpected), as a path suffix. */
function propertyOf(params: Record<string, unknown> | undefined): string {
  const name = params?.missingProperty ?? params?.additionalProperty;
  return name === undefined ? '' : `/${String(name)}`;
}

function errorBody(code: string, message: string, details: ErrorDetail[] = []) {
  return { error: details.length > 0 ? { code, message, details } : { code, message } };
}

export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger.child({ module: 'http' }) as FastifyBaseLogger,
    // Per-request logs at 100k readings/s would cost more than the work; metrics cover requests.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit,
    // Unknown query parameters are errors, not silently dropped (a typo must not widen a query).
    ajv: { customOptions: { removeAdditional: false } },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  registerBodyParsers(app);

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public) return;
    if (!opts.keys.verify(request.headers.authorization)) throw gridError('SG_ERR_UNAUTHORIZED');
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    opts.metrics.httpRequests.inc({ route, method, status: String(reply.statusCode) });
    opts.metrics.httpDuration.observe({ route, method }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isGridOpsError(err)) {
      if (err.retryAfterSeconds !== undefined)
        void reply.header('retry-after', String(err.retryAfterSeconds));
      if (err.statusCode >= 500) request.log.error({ err }, err.message);
      return reply.code(err.statusCode).send(errorBody(err.code, err.message, err.details));
    }
    if (err.validation) {
      const details = err.validation.map((v) => ({
        field: `${err.validationContext ?? ''}${v.instancePath || ''}${propertyOf(v.params)}`,
        message: v.message ?? 'is invalid',
      }));
      const e = gridError('SG_ERR_QUERY_INVALID', [details.map((d) => `${d.field} ${d.message}`).join('; ')]);
      return reply.code(400).send(errorBody(e.code, e.message, details));
    }
    const mapped =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? gridError('SG_ERR_BODY_TOO_LARGE', [String(opts.bodyLimit)])
        : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? gridError('SG_ERR_UNSUPPORTED_MEDIA_TYPE', [String(request.headers['content-type'] ?? '')])
          : err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500
            ? gridError('SG_ERR_BODY_INVALID', [err.message])
            : undefined;
    if (mapped) return reply.code(mapped.statusCode).send(errorBody(mapped.code, mapped.message));
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('SG_ERR_INTERNAL', 'internal error; see the server log'));
  });

  app.setNotFoundHandler((request, reply) => {
    const e = gridError('SG_ERR_NOT_FOUND', [`route ${request.method} ${request.url.split('?')[0]}`]);
    return reply.code(404).send(errorBody(e.code, e.message));
  });

  app.get('/livez', { config: { public: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true } }, async (_request, reply) => {
    const modules = opts.status();
    const ready = modules.every((m) => m.ready);
    for (const m of modules) opts.metrics.moduleUp.set({ module: m.name }, m.ready ? 1 : 0);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', modules });
  });
  app.get('/metrics', { config: { public: !opts.metricsAuth } }, async (_request, reply) => {
    for (const m of opts.status()) opts.metrics.moduleUp.set({ module: m.name }, m.ready ? 1 : 0);
    return reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics());
  });
  return app;
}
