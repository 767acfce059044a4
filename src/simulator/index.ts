// The simulator's public surface, for the CLI, the in-process demo and tests.
export { generateFleet, KVA_RATINGS, meterScale, type FleetOptions } from './fleet.ts';
export { FleetSimulator, type FleetSimulatorOptions } from './fleet-simulator.ts';
export {
  DEFAULT_FAULT_RATES,
  FAULT_KINDS,
  parseFaultList,
  type FaultKind,
  type FaultRecord,
} from './faults.ts';
export {
  createHttpSink,
  HttpSinkError,
  type HttpSink,
  type HttpSinkOptions,
  type HttpSinkStats,
} from './http-sink.ts';
export {
  runSimulation,
  type Progress,
  type SimulationHooks,
  type SimulationOptions,
  type SimulationResult,
  type Sink,
} from './run-simulation.ts';
export { formatProgress, ndjsonSink, simulateCommand, writeTopology } from './simulate-command.ts';
export type { MeterWireItem, SensorWireItem, WireItem } from './wire.ts';
