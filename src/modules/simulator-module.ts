// The in-process demo: the seeded fleet simulator posting to this server's own ingest API over
// real HTTP (so the demo exercises auth, validation and back-pressure like any client).
import type { Module } from '../app/module-manager.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Topology } from '../domain/topology.ts';
import { createHttpSink, formatProgress, parseFaultList, runSimulation } from '../simulator/index.ts';

export interface SimulatorModuleOptions {
  url: () => string;
  apiKey: string;
  topology: () => Topology;
  logger: Logger;
  speed: number;
  faults: string;
  seed: number;
}

export function createSimulatorModule(opts: SimulatorModuleOptions): Module {
  const log = opts.logger.child({ module: 'simulator' });
  const controller = new AbortController();
  let run: Promise<unknown> | undefined;
  let lastProgress = 0;
  return {
    start() {
      const faults = parseFaultList(opts.faults);
      const sink = createHttpSink({ url: opts.url(), apiKey: opts.apiKey, signal: controller.signal });
      run = runSimulation(
        {
          meters: opts.topology().meters.length,
          seed: opts.seed,
          topology: opts.topology(),
          speed: opts.speed,
          faults,
        },
        sink,
        {
          signal: controller.signal,
          onProgress: (p) => {
            // Backfill reports every 2 s; live ticks are quieter unless something changes.
            if (p.phase === 'live' && Date.now() - lastProgress < 60_000) return;
            lastProgress = Date.now();
            log.info({ phase: p.phase, sent: p.sent, rate_per_s: p.ratePerS }, formatProgress(p));
          },
        },
      ).catch((err: unknown) => {
        if (!controller.signal.aborted) log.error({ err }, 'simulator stopped');
      });
    },
    async stop() {
      controller.abort();
      await run;
    },
  };
}
