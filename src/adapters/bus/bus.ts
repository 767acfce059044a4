// The bus port: a partitioned, durable log keyed by transformer (domain/topology.ts busKey), shaped after Kafka so the Kafka
// adapter fits unchanged. Producers resolve only once records are durable (acks=all);
// consumers commit offsets only after the store write, so a crash replays, never skips.

export interface BusRecord {
  /** Partition key (busKey: the device's transformer): one device's readings stay in order. */
  key: string;
  /** Encoded payload; never contains a newline (JSON text does not). */
  value: string;
  headers?: Record<string, string>;
}

export interface ConsumedRecord extends BusRecord {
  partition: number;
  /**
   * Ascending per partition. Records published in one call with one key may share an offset
   * (the Kafka adapter sends them as one Kafka record): they are handed out and committed
   * together.
   */
  offset: number;
}

export interface BusProducer {
  /** Appends durably; resolves after the commit (fsync with synchronous=FULL). */
  publish(records: BusRecord[]): Promise<void>;
  /** Records published but not yet committed by `group` (on Kafka an estimate, see kafka-envelope.ts). */
  lag(group: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Which partitions one consumer of a group reads: member `index` of `count` takes partitions
 * p with p % count === index. The embedded bus has no group coordinator; the processor's
 * workers in one process split the partitions this way (a Kafka group assigns them instead).
 */
export interface GroupMember {
  index: number;
  count: number;
}

export interface BusConsumer {
  /**
   * Next records after the group's committed offsets, in offset order per partition: about
   * `maxRecords`, a few more rather than part of the records sharing an offset.
   */
  poll(maxRecords: number): Promise<ConsumedRecord[]>;
  /** Commits, per partition, the offset of the next record to read. */
  commit(next: ReadonlyMap<number, number>): Promise<void>;
  /** Parks a record that can never be processed, with the reason. */
  deadLetter(record: ConsumedRecord, reason: string): Promise<void>;
  lag(): Promise<number>;
  /**
   * The partitions this member owns now, where the bus moves them between members (Kafka); a
   * bus whose partitions never move (the embedded one) has no such method.
   */
  assignment?(): number[];
  close(): Promise<void>;
}

/** FNV-1a: a stable, fast partitioner for the embedded bus (Kafka uses its own murmur2). */
export function partitionFor(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
