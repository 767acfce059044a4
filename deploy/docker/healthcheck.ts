// Container health check: exit 0 when /readyz answers 200 within the timeout, 1 otherwise.
// Run by the image's HEALTHCHECK with the image's Node.js (no curl or wget in the image).
const port = process.env.GRIDOPS_PORT ?? '8080';
const bind = process.env.GRIDOPS_HOST ?? '0.0.0.0';
const host = bind === '0.0.0.0' || bind === '::' || bind === '' ? '127.0.0.1' : bind;
const path = process.env.GRIDOPS_HEALTHCHECK_PATH ?? '/readyz';
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (response.status !== 200) {
    console.error(`healthcheck: ${url} answered ${response.status}`);
    process.exit(1);
  }
} catch (err) {
  console.error(`healthcheck: ${url} failed: ${(err as Error).message}`);
  process.exit(1);
}
