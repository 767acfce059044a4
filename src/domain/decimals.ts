// Rounding for numbers people read: sums of floating-point values carry binary noise
// (82.94899999999998 for 82.949) that no meter measured.

/** x rounded to `digits` decimals, never -0 (JSON would print "-0"). */
export function roundTo(x: number, digits: number): number {
  const scale = 10 ** digits;
  const r = Math.round(x * scale) / scale;
  return r === 0 ? 0 : r;
}
