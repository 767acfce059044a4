// The embedded store's integer ids of series (meter, channel), remembered by its writer. An id
// learned inside a transaction is only trusted once that transaction commits: a series row
// inserted by a rolled-back write is gone, and SQLite may give its id to another series.

type Ids = Map<string, Map<string, number>>;

function find(ids: Ids, meterId: string, obis: string): number | undefined {
  return ids.get(meterId)?.get(obis);
}

function put(ids: Ids, meterId: string, obis: string, id: number): void {
  let channels = ids.get(meterId);
  if (!channels) ids.set(meterId, (channels = new Map()));
  channels.set(obis, id);
}

export class SeriesIds {
  /** meter id -> channel -> series id, committed. */
  private readonly known: Ids = new Map();
  /** Learned in the open transaction. */
  private pending: Ids = new Map();

  get(meterId: string, obis: string): number | undefined {
    return find(this.known, meterId, obis) ?? find(this.pending, meterId, obis);
  }

  /** An id read or made in the open transaction. */
  add(meterId: string, obis: string, id: number): void {
    put(this.pending, meterId, obis, id);
  }

  commit(): void {
    for (const [meterId, channels] of this.pending)
      for (const [obis, id] of channels) put(this.known, meterId, obis, id);
    this.pending = new Map();
  }

  rollback(): void {
    this.pending = new Map();
  }
}
