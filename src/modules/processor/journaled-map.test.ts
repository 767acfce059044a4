import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JournaledMap } from './journaled-map.ts';

test('rollback restores every key changed since begin, added keys removed', () => {
  const m = new JournaledMap<string, number>([
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);
  m.begin();
  m.set('a', 10);
  m.set('a', 11);
  m.delete('b');
  m.set('d', 4);
  m.rollback();
  assert.deepEqual([...m].sort(), [
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);
});

test('commit keeps the changes, and a later rollback without begin changes nothing', () => {
  const m = new JournaledMap<string, number>([['a', 1]]);
  m.begin();
  m.set('a', 2);
  m.clear();
  m.set('z', 26);
  m.commit();
  m.rollback();
  assert.deepEqual([...m], [['z', 26]]);
});

test('clear is undone too', () => {
  const m = new JournaledMap<string, number>([
    ['a', 1],
    ['b', 2],
  ]);
  m.begin();
  m.clear();
  m.rollback();
  assert.deepEqual([...m].sort(), [
    ['a', 1],
    ['b', 2],
  ]);
});
