// The faults the simulator can inject and the journal it keeps of them. Every injected fault
// is recorded (what, where, when), so a test or a game day can check that the pipeline's
// detectors flagged exactly these.

export const FAULT_KINDS = [
  'gaps',
  'spikes',
  'negative',
  'duplicates',
  'clock-skew',
  'outage',
  'theft',
  'voltage-sag',
  'frozen',
  'overload',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Faults decided reading by reading; their rate is a probability per meter reading. The order
 * is the order of their random draws, so it must not change.
 */
export const READING_FAULTS: readonly FaultKind[] = [
  'gaps',
  'spikes',
  'negative',
  'duplicates',
  'clock-skew',
];

/**
 * Default rates. Reading faults: probability per meter reading. Episode faults (outage, theft,
 * voltage-sag, frozen, overload): expected new episodes per simulated day across the fleet,
 * so a demo of any size shows a few of each per day.
 */
export const DEFAULT_FAULT_RATES: Readonly<Record<FaultKind, number>> = {
  gaps: 0.002,
  spikes: 0.0005,
  negative: 0.0002,
  duplicates: 0.001,
  'clock-skew': 0.0005,
  outage: 2,
  theft: 1,
  'voltage-sag': 4,
  frozen: 4,
  overload: 2,
};

export interface FaultRecord {
  kind: FaultKind;
  meterId?: string;
  transformerId?: string;
  sensorId?: string;
  /** First affected instant (interval start or sample time), ISO-8601 UTC. */
  start: string;
  /** End of the effect, exclusive. */
  end: string;
  /** Human-readable specifics: factor, sent interval_start, duplicate kind, ... */
  detail: string;
  /** The event_id of the affected item when one item carries the fault. */
  eventId?: string;
}

export function isFaultKind(name: string): name is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(name);
}

/**
 * Parses `gaps,spikes`, `all` or `none` (empty means none). Throws an Error naming the unknown
 * entry; the command wraps it as a usage error.
 */
export function parseFaultList(spec: string): FaultKind[] {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  if (trimmed === 'all') return [...FAULT_KINDS];
  const kinds: FaultKind[] = [];
  for (const raw of trimmed.split(',')) {
    const name = raw.trim();
    if (!isFaultKind(name)) {
      throw new Error(`unknown fault "${name}"; known: ${FAULT_KINDS.join(', ')}, all, none`);
    }
    if (!kinds.includes(name)) kinds.push(name);
  }
  return kinds;
}
