// Starts modules in dependency order and stops them in reverse, like Loki's modules.Manager.
// A module is anything with an optional two-phase start: `init` (create resources, register
// HTTP routes) for every module first, then `start` (listen, open loops). Routes must exist
// before the HTTP server listens, which is why the phases are separate.
import { gridError } from './errors.ts';

export type ModuleState = 'new' | 'initialised' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface Module {
  init?(): Promise<void> | void;
  start?(): Promise<void> | void;
  /** Drain in-flight work, then release resources. */
  stop?(): Promise<void> | void;
  /** Extra readiness detail; a running module is ready unless this says otherwise. */
  ready?(): { ok: boolean; detail?: string };
}

export interface ModuleStatus {
  name: string;
  state: ModuleState;
  ready: boolean;
  detail?: string;
}

/** Dependency closure of `targets` in a start order where every module follows its deps. */
export function resolveOrder(
  deps: Readonly<Record<string, readonly string[]>>,
  targets: readonly string[],
): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (order.includes(name)) return;
    if (!(name in deps)) throw gridError('SG_ERR_UNKNOWN_TARGET', [name, Object.keys(deps).join(', ')]);
    if (visiting.has(name)) throw new Error(`dependency cycle: ${[...path, name].join(' -> ')}`);
    visiting.add(name);
    for (const dep of deps[name] ?? []) visit(dep, [...path, name]);
    visiting.delete(name);
    order.push(name);
  };
  for (const t of targets) visit(t, []);
  return order;
}

export class ModuleManager {
  private readonly states = new Map<string, ModuleState>();
  private readonly started: string[] = [];
  private readonly order: string[];
  private readonly modules: Map<string, Module>;

  constructor(order: string[], modules: Map<string, Module>) {
    this.order = order;
    this.modules = modules;
    for (const name of order) this.states.set(name, 'new');
  }

  /** Initialises then starts every module in order; on failure stops what already started. */
  async start(onEach?: (name: string, phase: 'init' | 'start') => void): Promise<void> {
    let current = '';
    try {
      for (const name of this.order) {
        current = name;
        await this.modules.get(name)?.init?.();
        this.states.set(name, 'initialised');
        onEach?.(name, 'init');
      }
      for (const name of this.order) {
        current = name;
        await this.modules.get(name)?.start?.();
        this.states.set(name, 'running');
        this.started.push(name);
        onEach?.(name, 'start');
      }
    } catch (err) {
      this.states.set(current, 'failed');
      await this.stop().catch(() => undefined);
      throw gridError('SG_ERR_MODULE_START', [current, (err as Error).message], { cause: err });
    }
  }

  /** Stops started modules in reverse order; keeps going when one fails, then rethrows. */
  async stop(onEach?: (name: string) => void): Promise<void> {
    const errors: unknown[] = [];
    const toStop = [...this.order].reverse().filter((n) => this.states.get(n) !== 'new');
    for (const name of toStop) {
      if (this.states.get(name) === 'stopped') continue;
      this.states.set(name, 'stopping');
      try {
        await this.modules.get(name)?.stop?.();
        this.states.set(name, 'stopped');
      } catch (err) {
        this.states.set(name, 'failed');
        errors.push(err);
      }
      onEach?.(name);
    }
    if (errors.length > 0) throw new AggregateError(errors, 'some modules failed to stop');
  }

  status(): ModuleStatus[] {
    return this.order.map((name) => {
      const state = this.states.get(name) ?? 'new';
      const extra = state === 'running' ? this.modules.get(name)?.ready?.() : undefined;
      const ready = state === 'running' && (extra?.ok ?? true);
      const detail = extra?.detail;
      return detail === undefined ? { name, state, ready } : { name, state, ready, detail };
    });
  }

  isReady(): boolean {
    return this.status().every((s) => s.ready);
  }
}
