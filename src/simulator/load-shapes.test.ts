import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commercialShare, householdKw, localTime } from './load-shapes.ts';

// Local time is UTC+1: 19:00 local is 18:00 UTC.
const at = (y: number, mo: number, d: number, hLocal: number): number => Date.UTC(y, mo, d, hLocal - 1);

test('localTime knows the weekday and hour in CET', () => {
  const t = localTime(at(2026, 0, 14, 19)); // Wednesday
  assert.equal(t.dayOfWeek, 3);
  assert.equal(t.hour, 19);
  assert.equal(localTime(at(2026, 0, 18, 12)).dayOfWeek, 0); // Sunday
});

test('household: evening peak well above 3 am, morning bump above night', () => {
  const evening = householdKw(localTime(at(2026, 0, 14, 19)));
  const night = householdKw(localTime(at(2026, 0, 14, 3)));
  const morning = householdKw(localTime(at(2026, 0, 14, 7)));
  assert.ok(evening > 3 * night, `evening ${evening} vs 3 am ${night}`);
  assert.ok(morning > 1.5 * night, `morning ${morning} vs 3 am ${night}`);
});

test('commercial: weekday noon above Sunday noon and weekday night', () => {
  const weekdayNoon = commercialShare(localTime(at(2026, 0, 14, 12)));
  const sundayNoon = commercialShare(localTime(at(2026, 0, 18, 12)));
  const weekdayNight = commercialShare(localTime(at(2026, 0, 14, 2)));
  assert.ok(weekdayNoon > 2 * sundayNoon, `${weekdayNoon} vs Sunday ${sundayNoon}`);
  assert.ok(weekdayNoon > 2 * weekdayNight);
});

test('seasons: winter evenings draw more than summer evenings', () => {
  const winter = householdKw(localTime(at(2026, 0, 14, 19)));
  const summer = householdKw(localTime(at(2026, 6, 15, 19)));
  assert.ok(winter > 1.3 * summer, `winter ${winter} vs summer ${summer}`);
});
