// Several bus records in one Kafka record (an envelope), a wire detail of the Kafka adapter: the
// port still carries one record per reading. Kafka's per-record costs (the client's encoding,
// CRC and buffer copies, the broker's validation, the consumer's decoding) are paid per
// envelope. Measured with 300,000 readings on this 2-core machine: producer CPU 8.9-9.8 -> 1.4-1.9
// us per reading, consumer 2.6-2.7 -> 0.8-1.2, broker 5.6-5.8 -> 2.3-3.0, with 10 readings per
// envelope against one per record.
//
// An envelope holds records published in one call, with the same headers, bound for one
// partition, in publish order. Records of one key make a plain envelope: their values joined by
// SEPARATOR, with a `gridops-records` header saying how many. Records of several keys make a
// keyed one: values joined the same way, a `gridops-keyed-records` count, and the keys in a
// `gridops-keys` header (see seal). Ingest keys readings by transformer and a request carries
// one reading per meter, so per key an envelope held about 20 readings; per partition, hundreds.
// A record alone, or one whose value or key holds a separator, goes out as it is, so topics
// written before envelopes existed (and other producers) read unchanged. A consumer older than
// keyed envelopes would dead-letter them whole: upgrade processors before ingest.
//
// All records of an envelope share its offset: they are committed together (the consumer never
// hands out part of an envelope, see PartitionBuffers.take), and the lag counts envelopes
// (see EnvelopeRatio).
import type { BusRecord, ConsumedRecord } from './bus.ts';

/** ASCII record separator: ingest admits no control character in any string field. */
export const SEPARATOR = '\x1e';
/** ASCII unit separator, between a key and its count in KEYS_HEADER. */
export const KEY_SEPARATOR = '\x1f';
export const COUNT_HEADER = 'gridops-records';
export const KEYED_COUNT_HEADER = 'gridops-keyed-records';
export const KEYS_HEADER = 'gridops-keys';
/** Well below the 900 kB a partition may take per produce request (kafka-producer.ts). */
const MAX_ENVELOPE_CHARS = 64_000;
const MAX_ENVELOPE_RECORDS = 500;

interface Open {
  records: BusRecord[];
  chars: number;
  /** The records' keys as runs: keys[i] for the next counts[i] records. */
  keys: string[];
  counts: number[];
}

/**
 * Whether a record's key keeps it alone: a separator in a key would split KEYS_HEADER on the
 * way back. Values are checked once per envelope instead (see seal).
 */
function keyTravelsAlone(key: string): boolean {
  return key.includes(SEPARATOR) || key.includes(KEY_SEPARATOR);
}

/** How often SEPARATOR occurs in `s`. */
function separators(s: string): number {
  let n = 0;
  for (let i = s.indexOf(SEPARATOR); i >= 0; i = s.indexOf(SEPARATOR, i + 1)) n++;
  return n;
}

/**
 * Packs records into envelopes, in publish order per key. `groupOf` says which records may
 * share one: those of one partition (all of them must be sent to one); by default, of one key.
 * A record goes into its group's open envelope while their headers are the same object (ingest
 * gives all records of a request one headers object) and it has room; otherwise a new envelope
 * starts after it. An envelope's Kafka key is its first record's key.
 */
export function packEnvelopes(
  records: readonly BusRecord[],
  groupOf: (key: string) => string | number = (key) => key,
): BusRecord[] {
  const envelopes: Open[] = [];
  const open = new Map<string | number, Open>();
  let lastKey: string | undefined;
  let lastAlone = false;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    // Keys come in runs (a transformer's meters): check each run's key once.
    if (r.key !== lastKey) {
      lastKey = r.key;
      lastAlone = keyTravelsAlone(r.key);
    }
    const alone = lastAlone;
    const group = groupOf(r.key);
    const current = open.get(group);
    const fits =
      !alone &&
      current !== undefined &&
      current.records[0]!.headers === r.headers &&
      current.records.length < MAX_ENVELOPE_RECORDS &&
      // At most what add() counts: the value and a separator, and a new run of its key.
      current.chars + r.key.length + r.value.length + 7 < MAX_ENVELOPE_CHARS;
    if (fits) {
      add(current, r);
      continue;
    }
    const next = opened(r);
    envelopes.push(next);
    if (alone) open.delete(group);
    else open.set(group, next);
  }
  const out: BusRecord[] = [];
  for (const e of envelopes) {
    const sealed = seal(e);
    if (sealed) out.push(sealed);
    else splitAtSeparators(e, out);
  }
  return out;
}

function opened(r: BusRecord): Open {
  return { records: [r], chars: r.key.length + r.value.length + 6, keys: [r.key], counts: [1] };
}

function add(e: Open, r: BusRecord): void {
  e.records.push(r);
  e.chars += r.value.length + 1;
  const last = e.keys.length - 1;
  if (e.keys[last] === r.key) e.counts[last]!++;
  else {
    e.keys.push(r.key);
    e.counts.push(1);
    e.chars += r.key.length + 6;
  }
}

/**
 * An envelope some value of which holds the separator, sent as the envelopes of the records
 * between such values, each of those alone, in order (all go to one partition).
 */
function splitAtSeparators(e: Open, out: BusRecord[]): void {
  let run: Open | undefined;
  for (const r of e.records) {
    if (r.value.includes(SEPARATOR)) {
      if (run) out.push(seal(run)!);
      run = undefined;
      out.push(r);
    } else if (run) add(run, r);
    else run = opened(r);
  }
  if (run) out.push(seal(run)!);
}

/**
 * The Kafka record of an envelope: the values joined by SEPARATOR, plain when one key, else
 * with the keys as runs in KEYS_HEADER (`key KEY_SEPARATOR count`, joined by SEPARATOR), so
 * a record costs no string of its own and the consumer one split. Undefined when a value holds
 * the separator. Counted in the joined value, not checked per value: ingest's values are
 * concatenations, which a search flattens into a copy each (2.4 % of ingest's CPU).
 */
function seal({ records: list, keys, counts }: Open): BusRecord | undefined {
  const first = list[0]!;
  if (list.length === 1) return first;
  const values = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) values[i] = list[i]!.value;
  const value = values.join(SEPARATOR);
  if (separators(value) !== list.length - 1) return undefined;
  const count = String(list.length);
  const headers: Record<string, string> =
    keys.length === 1
      ? { ...first.headers, [COUNT_HEADER]: count }
      : {
          ...first.headers,
          [KEYED_COUNT_HEADER]: count,
          [KEYS_HEADER]: keys.map((k, i) => `${k}${KEY_SEPARATOR}${counts[i]}`).join(SEPARATOR),
        };
  return { key: first.key, value, headers };
}

/**
 * The bus records of one Kafka record. An envelope whose count or keys do not match its value
 * is handed out whole, as one record: the processor cannot decode it and dead-letters it
 * intact.
 */
export function unpackEnvelope(
  partition: number,
  offset: number,
  key: string,
  value: string,
  headers: Record<string, string> | undefined,
): ConsumedRecord[] {
  const whole = () => [single(partition, offset, key, value, headers)];
  const plain = headers?.[COUNT_HEADER];
  const keyed = headers?.[KEYED_COUNT_HEADER];
  if (plain === undefined && keyed === undefined) return whole();
  const values = value.split(SEPARATOR);
  if (String(values.length) !== (keyed ?? plain)) return whole();
  const { [COUNT_HEADER]: _p, [KEYED_COUNT_HEADER]: _k, [KEYS_HEADER]: runs, ...rest } = headers!;
  // One headers object for all of them, as they were published (nothing downstream mutates it).
  const shared = Object.keys(rest).length > 0 ? rest : undefined;
  const out = new Array<ConsumedRecord>(values.length);
  if (keyed === undefined) {
    for (let i = 0; i < values.length; i++) out[i] = single(partition, offset, key, values[i]!, shared);
    return out;
  }
  if (runs === undefined) return whole();
  let i = 0;
  for (const run of runs.split(SEPARATOR)) {
    const cut = run.indexOf(KEY_SEPARATOR);
    const n = Number(run.slice(cut + 1));
    if (cut < 0 || !Number.isInteger(n) || n < 1 || i + n > values.length) return whole();
    const runKey = run.slice(0, cut);
    for (const end = i + n; i < end; i++) out[i] = single(partition, offset, runKey, values[i]!, shared);
  }
  return i === values.length ? out : whole();
}

function single(
  partition: number,
  offset: number,
  key: string,
  value: string,
  headers: Record<string, string> | undefined,
): ConsumedRecord {
  const rec: ConsumedRecord = { partition, offset, key, value };
  if (headers) rec.headers = headers;
  return rec;
}

/**
 * `n` moved forward past the records that share an offset with records[n - 1]: where a batch
 * of consumed records may end without splitting an envelope (its records commit together).
 */
export function envelopeEnd(records: readonly ConsumedRecord[], n: number): number {
  let end = n;
  while (
    end > 0 &&
    end < records.length &&
    records[end]!.partition === records[end - 1]!.partition &&
    records[end]!.offset === records[end - 1]!.offset
  )
    end++;
  return end;
}

/**
 * Bus records per Kafka record, as this client has seen them. Kafka's lag counts Kafka
 * records; ingest's back-pressure bound and the lag metric count readings, so the adapter
 * reports the lag times this ratio: an estimate, exact while envelopes keep one size, and 1
 * until the client has sent or read anything.
 */
export class EnvelopeRatio {
  private records = 0;
  private messages = 0;

  add(records: number, messages: number): void {
    this.records += records;
    this.messages += messages;
  }

  scale(messages: number): number {
    return this.messages === 0 ? messages : Math.round((messages * this.records) / this.messages);
  }
}
