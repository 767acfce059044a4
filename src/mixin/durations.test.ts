import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './durations.ts';

test('parses and prints Prometheus durations', () => {
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('4w'), 28 * 86_400_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('5 m'), undefined);
  assert.equal(parseDuration('1y'), undefined);
  assert.equal(parseDuration('0m'), undefined);
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(3 * 86_400_000), '3d');
  assert.equal(formatDuration(14 * 60_000), '14m');
});
