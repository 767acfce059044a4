// Small order statistics shared by the streaming rules (VEE spikes, robust anomaly scores).

/** Median of the values; NaN for an empty list. Does not reorder the input. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
