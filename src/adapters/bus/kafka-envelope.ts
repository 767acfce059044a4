// Several bus records of one key in one Kafka record (an envelope), a wire detail of the Kafka
// adapter: the port still carries one record per reading. Kafka's per-record costs (the
// client's encoding, CRC and buffer copies, the broker's validation, the consumer's decoding)
// are paid per envelope. Measured with 300,000 readings on this 2-core machine: producer CPU
// 8.9-9.8 -> 1.4-1.9 us per reading, consumer 2.6-2.7 -> 0.8-1.2, broker 5.6-5.8 -> 2.3-3.0,
// with 10 readings per envelope against one per record.
//
// An envelope holds records published in one call, with one key and the same headers, in
// publish order; its value is their values joined by SEPARATOR and its `gridops-records` header
// says how many. A record alone, or one whose value holds the separator, goes out as it is, so
// topics written before envelopes existed (and other producers) read unchanged.
//
// All records of an envelope share its offset: they are committed together (the consumer never
// hands out part of an envelope, see PartitionBuffers.take), and the lag counts envelopes
// (see EnvelopeRatio).
import type { BusRecord, ConsumedRecord } from './bus.ts';

/** ASCII record separator: ingest admits no control character in any string field. */
export const SEPARATOR = '\x1e';
export const COUNT_HEADER = 'gridops-records';
/** Well below the 900 kB a partition may take per produce request (kafka-producer.ts). */
const MAX_ENVELOPE_CHARS = 64_000;
const MAX_ENVELOPE_RECORDS = 500;

interface Open {
  records: BusRecord[];
  chars: number;
}

/**
 * Packs records into envelopes, in publish order per key. Records of one key go into the
 * key's open envelope while their headers are the same object (ingest gives all records of a
 * request one headers object) and it has room; otherwise a new envelope starts after it.
 */
export function packEnvelopes(records: readonly BusRecord[]): BusRecord[] {
  const envelopes: Open[] = [];
  const open = new Map<string, Open>();
  for (const r of records) {
    // A value holding the separator travels alone, and nothing joins it later.
    const alone = r.value.includes(SEPARATOR);
    const current = open.get(r.key);
    const fits =
      !alone &&
      current !== undefined &&
      current.records[0]!.headers === r.headers &&
      current.records.length < MAX_ENVELOPE_RECORDS &&
      current.chars + r.value.length < MAX_ENVELOPE_CHARS;
    if (fits) {
      current.records.push(r);
      current.chars += r.value.length + 1;
      continue;
    }
    const next: Open = { records: [r], chars: r.value.length };
    envelopes.push(next);
    if (alone) open.delete(r.key);
    else open.set(r.key, next);
  }
  return envelopes.map(({ records: list }) => {
    const first = list[0]!;
    if (list.length === 1) return first;
    const values = new Array<string>(list.length);
    for (let i = 0; i < list.length; i++) values[i] = list[i]!.value;
    return {
      key: first.key,
      value: values.join(SEPARATOR),
      headers: { ...first.headers, [COUNT_HEADER]: String(list.length) },
    };
  });
}

/**
 * The bus records of one Kafka record. An envelope whose count does not match its value is
 * handed out whole, as one record: the processor cannot decode it and dead-letters it intact.
 */
export function unpackEnvelope(
  partition: number,
  offset: number,
  key: string,
  value: string,
  headers: Record<string, string> | undefined,
): ConsumedRecord[] {
  const count = headers?.[COUNT_HEADER];
  if (count === undefined) return [single(partition, offset, key, value, headers)];
  const values = value.split(SEPARATOR);
  if (String(values.length) !== count) return [single(partition, offset, key, value, headers)];
  const { [COUNT_HEADER]: _count, ...rest } = headers!;
  // One headers object for all of them, as they were published (nothing downstream mutates it).
  const shared = Object.keys(rest).length > 0 ? rest : undefined;
  return values.map((v) => single(partition, offset, key, v, shared));
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
