import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError } from './kafka-options.ts';

test('describeError: nested broker answers and the cause of a failed connection, on one line', () => {
  const network = new Error('Connection to 10.0.0.1:9096 failed.', {
    cause: new Error('SASL authentication failed.'),
  });
  const all = new AggregateError([network, network], 'Cannot connect to any broker.');
  assert.equal(
    describeError(all),
    'Cannot connect to any broker. (Connection to 10.0.0.1:9096 failed: SASL authentication failed.)',
  );
  assert.equal(describeError(new Error('plain')), 'plain');
  assert.equal(describeError('a string'), 'a string');
});
