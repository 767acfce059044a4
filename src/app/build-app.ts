// Builds the modules of one process from the configuration. Each factory is small; what runs
// is decided by --target through MODULE_DEPENDENCIES, nothing else.
import { existsSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config-schema.ts';
import { ApiKeys, generateKey, hashKey } from './api-keys.ts';
import { ModuleManager, resolveOrder, type Module } from './module-manager.ts';
import { MODULE_DEPENDENCIES, parseTargets, type ModuleName } from './modules.ts';
import { gridError } from './errors.ts';
import { createLogger, type Logger } from '../telemetry/logger.ts';
import { createMetrics, type Metrics } from '../telemetry/metrics.ts';
import { certFileList, refreshHostGauges } from '../telemetry/host-gauges.ts';
import { emptyTopology, loadTopology, type Topology } from '../domain/topology.ts';
import { createHttpServer } from '../modules/server/http-server.ts';
import { closeHttpServer, trackRequests } from '../modules/server/close-server.ts';
import type { BusProducer } from '../adapters/bus/bus.ts';
import type { StoreReader } from '../adapters/store/store.ts';
import type { Cache } from '../adapters/cache/cache.ts';
import {
  busSettings,
  openCache,
  openProducer,
  openStoreReader,
  processorGroup,
  storeSettings,
} from './backends.ts';
import { registerIngestRoutes } from '../modules/ingest/ingest-routes.ts';
import { registerQueryRoutes } from '../modules/query/query-routes.ts';
import { registerForecastRoutes } from '../modules/query/forecast-routes.ts';
import { createProcessorModule } from '../modules/processor/processor-module.ts';
import { refreshKpis } from '../modules/processor/kpi-gauges.ts';
import { createSimulatorModule } from '../modules/simulator-module.ts';
import { generateFleet, writeTopology } from '../simulator/index.ts';

export interface GridOpsApp {
  manager: ModuleManager;
  http: FastifyInstance;
  metrics: Metrics;
  logger: Logger;
  config: Config;
  /** Base URL once the server listens. */
  url(): string;
  /** The demo's API key when the simulator runs in-process (also in <dataDir>/demo-api-key). */
  demoKey?: string;
}

export function buildApp(config: Config, opts: { logger?: Logger; metrics?: Metrics } = {}): GridOpsApp {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const metrics = opts.metrics ?? createMetrics();
  let targets: ModuleName[];
  try {
    targets = parseTargets(config.target);
  } catch (err) {
    throw gridError('SG_ERR_CONFIG_INVALID', ['target', (err as Error).message]);
  }
  if (config.simulate) targets.push('simulator');
  const order = resolveOrder(MODULE_DEPENDENCIES, targets);
  const keys = ApiKeys.fromConfig(config.apiKeys, config.apiKeysFile);
  let demoKey: string | undefined;
  if (config.simulate) {
    demoKey = generateKey();
    keys.addHash('demo', hashKey(demoKey));
  }
  if (keys.size === 0)
    logger.warn('no API keys configured: every non-health endpoint answers 401 (set GRIDOPS_API_KEYS)');

  const dataFile = (name: string) => join(config.dataDir, name);
  // Settings are checked only where a module opens them: an ingest-only process needs no store URL.
  const bus = () => busSettings(config, targets.join('-'));
  const store = () => storeSettings(config);
  const group = () => processorGroup(bus());
  let topology: Topology = emptyTopology();
  let producer: BusProducer | undefined;
  let reader: StoreReader | undefined;
  // The processor invalidates what the query replicas cached, so both hold the (shared) cache;
  // an ingest-only process never opens it.
  let cache: Cache | undefined;
  // The server's /readyz needs the manager, which needs the modules, which need the server.
  const late: { manager?: ModuleManager } = {};
  const http = createHttpServer({
    logger,
    metrics,
    keys,
    bodyLimit: config.maxBodyBytes,
    metricsAuth: config.metricsAuth,
    status: () => late.manager?.status() ?? [],
  });
  const openRequests = trackRequests(http);
  let listening = '';
  let hostTimer: NodeJS.Timeout | undefined;

  const factories: Record<ModuleName, () => Module> = {
    server: () => ({
      async start() {
        const certs = certFileList(config.tlsCertFiles);
        const refresh = () => void refreshHostGauges(config.dataDir, certs, metrics, logger);
        refresh();
        hostTimer = setInterval(refresh, 15_000);
        hostTimer.unref();
        listening = await http.listen({ host: config.host, port: config.port });
        logger.info({ module: 'server', url: listening }, `listening on ${listening}`);
      },
      async stop() {
        clearInterval(hostTimer);
        await closeHttpServer(http, {
          onForce: (connections) =>
            logger.warn(
              { module: 'server', connections, requests: openRequests() },
              'closing the connections still open 2 s into the server stop',
            ),
          onGiveUp: () =>
            logger.error({ module: 'server' }, 'the HTTP server did not close; stopping anyway'),
        });
      },
    }),
    topology: () => ({
      init() {
        if (!existsSync(config.topologyFile) && config.simulate) {
          mkdirSync(config.dataDir, { recursive: true });
          writeTopology(
            config.topologyFile,
            generateFleet({ meters: config.simulateMeters, seed: config.simulateSeed }),
          );
          logger.info(
            { module: 'topology', file: config.topologyFile },
            'generated the simulated fleet topology',
          );
        }
        if (existsSync(config.topologyFile)) topology = loadTopology(config.topologyFile);
        else
          logger.warn(
            { module: 'topology', file: config.topologyFile },
            'no topology file: every reading is kept apart as unknown',
          );
        logger.info(
          { module: 'topology', meters: topology.meters.length, feeders: topology.feeders.length },
          'topology loaded',
        );
      },
    }),
    bus: () => ({
      async init() {
        producer = await openProducer(bus(), logger.child({ module: 'bus' }));
      },
      async stop() {
        await producer?.close();
      },
    }),
    store: () => ({
      async init() {
        reader = await openStoreReader(store(), logger.child({ module: 'store' }));
      },
      async stop() {
        await reader?.close();
      },
    }),
    cache: () => ({
      async init() {
        cache = await openCache(config, metrics, logger);
      },
      stop: () => cache?.close(),
    }),
    kpi: () => {
      let timer: NodeJS.Timeout | undefined;
      const tick = () => {
        void refreshKpis(reader!, topology, metrics, Date.now()).catch((err: unknown) =>
          logger.warn({ err }, 'KPI refresh failed'),
        );
        // Ingest refreshes the lag on every batch; this keeps it true when traffic stops.
        void producer
          ?.lag(group())
          .then((lag) => metrics.busLag.set(lag))
          .catch((err: unknown) => logger.warn({ err }, 'bus lag read failed'));
      };
      return {
        start() {
          tick();
          timer = setInterval(tick, 5000);
          timer.unref();
        },
        stop: () => clearInterval(timer),
      };
    },
    ingest: () => {
      let drain: (() => Promise<void>) | undefined;
      return {
        init() {
          drain = registerIngestRoutes(http, {
            producer: producer!,
            group: group(),
            metrics,
            topology: () => topology,
            maxBatchItems: config.maxBatchItems,
            maxBusLag: config.maxBusLag,
          }).drain;
        },
        stop: () => drain?.(),
      };
    },
    processor: () =>
      createProcessorModule({
        workerData: {
          bus: bus(),
          store: store(),
          topologyFile: config.topologyFile,
          batchSize: config.processorBatch,
          retentionDays: config.retentionDays,
          logLevel: config.logLevel,
          yieldToIngest: order.includes('ingest'),
        },
        workers: config.processorWorkers,
        logger,
        metrics,
        stopTimeoutMs: config.shutdownTimeoutMs,
        onCommitted: () => void cache?.clear(),
      }),
    query: () => ({
      init() {
        const common = { store: reader!, topology: () => topology };
        registerQueryRoutes(http, {
          ...common,
          cache: cache!,
          metrics,
          maxRangeDays: config.queryMaxRangeDays,
          maxLimit: config.queryMaxLimit,
          cacheTtlMs: config.cacheTtlMs,
        });
        registerForecastRoutes(http, { ...common, historyDays: Math.min(28, config.queryMaxRangeDays) });
      },
    }),
    simulator: () =>
      createSimulatorModule({
        url: () => listening,
        apiKey: demoKey!,
        topology: () => topology,
        logger,
        speed: config.simulateSpeed,
        faults: config.simulateFaults,
        seed: config.simulateSeed,
      }),
    all: () => ({}),
  };
  const modules = new Map(order.map((name) => [name, factories[name as ModuleName]()]));
  const manager = new ModuleManager(order, modules);
  late.manager = manager;
  if (demoKey) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(dataFile('demo-api-key'), `${demoKey}\n`, { mode: 0o600 });
    chmodSync(dataFile('demo-api-key'), 0o600);
  }
  const app: GridOpsApp = { manager, http, metrics, logger, config, url: () => listening };
  if (demoKey) app.demoKey = demoKey;
  return app;
}
