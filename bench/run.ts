// `npm run bench -- <name> [--runs=N] [--key=value ...]`: runs one benchmark and prints its
// RESULT line; with --runs, N runs one after another and the median of each field.
import { medianFields, parseArgs, resultLine, type Bench } from './harness.ts';
import { ingestBench } from './ingest.ts';
import { sloRulesBench } from './slo-rules.ts';
import { pipelineBench } from './pipeline.ts';
import { catchupBench } from './catchup.ts';
import { pgInsertBench } from './pg-insert.ts';
import { processorBench } from './processor.ts';

const BENCHES: Bench[] = [
  ingestBench,
  processorBench,
  sloRulesBench,
  pipelineBench,
  catchupBench,
  pgInsertBench,
];

const [name, ...rest] = process.argv.slice(2);
const bench = BENCHES.find((b) => b.name === name);
if (!bench) {
  console.error(
    `usage: npm run bench -- <name> [--runs=N] [--key=value ...]\n\n--runs=N runs it N times and reports the median of each field\n\nbenchmarks:\n${BENCHES.map((b) => `  ${b.name.padEnd(10)} ${b.summary}`).join('\n')}`,
  );
  process.exit(2);
}
const { runs: runsArg, ...args } = parseArgs(rest);
const runs = Number(runsArg ?? 1);
if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
  console.error(`--runs must be an integer from 1 to 50, not "${runsArg}"`);
  process.exit(2);
}
const results: Record<string, number | string>[] = [];
for (let i = 1; i <= runs; i++) {
  const prefix = runs > 1 ? `[${bench.name} ${i}/${runs}]` : `[${bench.name}]`;
  const fields = await bench.run(args, (line) => console.error(`${prefix} ${line}`));
  results.push(fields);
  if (runs > 1) console.error(`${prefix} ${resultLine(bench.name, fields)}`);
}
console.log(resultLine(bench.name, runs > 1 ? { ...medianFields(results), runs } : results[0]!));
