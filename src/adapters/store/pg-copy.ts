// COPY ... FROM STDIN through node-postgres without pg-copy-streams: pg accepts any object with
// a submit() method as a query (its "Submittable" interface, the one pg-copy-streams and
// pg-cursor implement) and hands it the protocol messages. This one sends rows already in
// memory (a store batch), so it needs no stream and no back-pressure beyond the socket's.
import type pg from 'pg';

type Cell = string | number | null | undefined;

/** One value in COPY text format: \N for NULL; backslash, tab, newline and CR escaped. */
export function copyText(v: Cell): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : v;
}

/** A row of cells as one COPY text line (newline included). */
export function cellsLine(cells: readonly Cell[]): string {
  return cells.map(copyText).join('\t') + '\n';
}

const CHUNK = 256 * 1024;
/**
 * Where lines are encoded before they go out as CopyData messages. One per thread, reused: the
 * protocol writer copies each chunk into its own message at once (sendCopyFromChunk), and a COPY
 * encodes all its rows in one synchronous call, so two COPYs never interleave here. Before,
 * lines were joined into a string per chunk: that string, its concatenations and its
 * flattening were a fifth of what a processor worker allocated (sampled).
 */
const chunk = Buffer.allocUnsafe(CHUNK);

interface Connection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(msg: string): void;
}

/**
 * Sends the rows' lines as CopyData chunks of at most CHUNK bytes, whole lines each (a line
 * longer than that goes alone).
 */
export function sendLines<T>(
  connection: Pick<Connection, 'sendCopyFromChunk'>,
  rows: readonly T[],
  line: (row: T) => string,
): void {
  let used = 0;
  for (let i = 0; i < rows.length; i++) {
    const text = line(rows[i]!);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (used + 3 * text.length > CHUNK) {
      if (used > 0) connection.sendCopyFromChunk(chunk.subarray(0, used));
      used = 0;
      if (3 * text.length > CHUNK) {
        connection.sendCopyFromChunk(Buffer.from(text, 'utf8'));
        continue;
      }
    }
    used += chunk.write(text, used);
  }
  if (used > 0) connection.sendCopyFromChunk(chunk.subarray(0, used));
}

class CopyIn<T> {
  private readonly text: string;
  private readonly rows: readonly T[];
  private readonly line: (row: T) => string;
  private count = 0;
  readonly done: Promise<number>;
  private settle!: (err: Error | undefined, n: number) => void;

  constructor(text: string, rows: readonly T[], line: (row: T) => string) {
    this.text = text;
    this.rows = rows;
    this.line = line;
    this.done = new Promise((resolve, reject) => {
      this.settle = (err, n) => (err ? reject(err) : resolve(n));
    });
  }

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    sendLines(connection, this.rows, this.line);
    connection.endCopyFrom();
  }

  handleCommandComplete(msg: { text?: string }): void {
    this.count = Number(/(\d+)$/.exec(msg.text ?? '')?.[1] ?? 0);
  }

  // Settled at once: when the connection dies no ReadyForQuery follows (a second settle is a no-op).
  handleError(err: Error): void {
    this.settle(err, 0);
  }

  handleReadyForQuery(): void {
    this.settle(undefined, this.count);
  }

  // Not used by COPY FROM, but pg calls them on any active query.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
  handlePortalSuspended(): void {}
}

/**
 * Runs `COPY <target> FROM STDIN` with `rows` (text format), each made a line by `line`;
 * resolves to the rows copied. A caller with many rows of one shape passes its own `line`
 * (one template per row): building an array of cells per row was most of a COPY's JS time.
 */
export function copyEncoded<T>(
  client: pg.ClientBase,
  target: string,
  rows: readonly T[],
  line: (row: T) => string,
): Promise<number> {
  const copy = new CopyIn(`COPY ${target} FROM STDIN`, rows, line);
  void client.query(copy as unknown as pg.QueryConfig);
  return copy.done;
}

/** copyEncoded for rows given as cells. */
export function copyRows(client: pg.ClientBase, target: string, rows: readonly Cell[][]): Promise<number> {
  return copyEncoded(client, target, rows, cellsLine);
}
