// The module registry: every module's dependencies in one map (as in Loki's modules.go).
// A target is a user-facing module; `all` is virtual and depends on every target.

export const MODULE_DEPENDENCIES = {
  server: [],
  topology: [],
  bus: [],
  store: [],
  cache: [],
  kpi: ['store', 'topology'],
  ingest: ['server', 'bus', 'topology'],
  processor: ['server', 'bus', 'topology', 'kpi', 'cache'],
  query: ['server', 'store', 'cache', 'topology'],
  simulator: ['server', 'topology', 'ingest'],
  all: ['ingest', 'processor', 'query'],
} as const satisfies Record<string, readonly string[]>;

export type ModuleName = keyof typeof MODULE_DEPENDENCIES;

/** What `--target` accepts (comma lists allowed). */
export const USER_TARGETS = ['all', 'ingest', 'processor', 'query'] as const;

export function parseTargets(spec: string): ModuleName[] {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const n of names) {
    if (!(USER_TARGETS as readonly string[]).includes(n)) {
      throw new Error(`unknown target "${n}"; known: ${USER_TARGETS.join(', ')}`);
    }
  }
  if (names.length === 0) throw new Error('no target given');
  return names as ModuleName[];
}
