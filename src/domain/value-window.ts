// A bounded window of a series' latest values, advanced once per reading without copying it.
// The processor keeps one per series (VEE's spike median, the anomaly score's history); a
// fresh 96-value array per reading was measured at 15-25 % of the processor's CPU, most of it
// garbage collection.
//
// Windows are values: push() returns a new window, and the values a window shows never change.
// Successive windows of a series share one buffer. A push writes in place when its window is
// the newest over that buffer (nothing was pushed after it), and copies the kept values into a
// new buffer otherwise: when the buffer is full, or when an older window is pushed again (the
// processor undoing a failed batch and meeting the same readings afresh).

interface Shared {
  data: Float64Array;
  /** End of the newest window's values: everything from here on is free to write. */
  top: number;
}

/** Free slots a full window's buffer keeps, so it is compacted once per SLACK pushes. */
const SLACK = 32;
const FIRST_CAPACITY = 8;

export class ValueWindow {
  static readonly EMPTY = new ValueWindow({ data: new Float64Array(0), top: 0 }, 0, 0);

  private readonly shared: Shared;
  private readonly end: number;
  readonly length: number;

  private constructor(shared: Shared, end: number, length: number) {
    this.shared = shared;
    this.end = end;
    this.length = length;
  }

  /** A window holding the last `max` of `values`, oldest first. */
  static of(values: readonly number[], max = values.length): ValueWindow {
    let w = ValueWindow.EMPTY;
    for (const v of values) w = w.push(v, max);
    return w;
  }

  /** This window with `value` appended, dropping the oldest values beyond `max`. */
  push(value: number, max: number): ValueWindow {
    if (max < 1) return ValueWindow.EMPTY;
    const length = Math.min(this.length + 1, max);
    const { shared, end } = this;
    if (end === shared.top && end < shared.data.length) {
      shared.data[end] = value;
      shared.top = end + 1;
      return new ValueWindow(shared, end + 1, length);
    }
    // Grow like an array while the window fills, then stay at max + SLACK.
    const keep = length - 1;
    const capacity = Math.min(max + SLACK, Math.max(FIRST_CAPACITY, 2 * length));
    const data = new Float64Array(capacity);
    data.set(shared.data.subarray(end - keep, end));
    data[keep] = value;
    return new ValueWindow({ data, top: length }, length, length);
  }

  /** The values, oldest first, as a read-only view (no copy). */
  view(): Float64Array {
    return this.shared.data.subarray(this.end - this.length, this.end);
  }

  /**
   * The buffer and the window's range in it, for reading without the view's allocation.
   * Read only: writing into `data` would change other windows.
   */
  range(): { data: Float64Array; from: number; to: number } {
    return { data: this.shared.data, from: this.end - this.length, to: this.end };
  }

  toArray(): number[] {
    return Array.from(this.view());
  }
}
