// JSON logs (pino) with `module` child loggers, trace ids from the active OpenTelemetry span,
// and redaction of anything that can carry a secret.
import { pino, type Logger } from 'pino';
import { trace } from '@opentelemetry/api';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'apiKey',
  'apiKeys',
  'config.apiKeys',
  'password',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'gridops' },
    redact: { paths: REDACT_PATHS, censor: '<redacted>' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    // Correlates a log line with its trace when a span is active; a no-op without the SDK.
    mixin() {
      const ctx = trace.getActiveSpan()?.spanContext();
      return ctx ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
