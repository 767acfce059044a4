// `npm run bench -- <name> [--key=value ...]`: runs one benchmark and prints its RESULT line.
import { parseArgs, resultLine, type Bench } from './harness.ts';
import { ingestBench } from './ingest.ts';
import { sloRulesBench } from './slo-rules.ts';
import { pipelineBench } from './pipeline.ts';
import { catchupBench } from './catchup.ts';
import { pgInsertBench } from './pg-insert.ts';

const BENCHES: Bench[] = [ingestBench, sloRulesBench, pipelineBench, catchupBench, pgInsertBench];

const [name, ...rest] = process.argv.slice(2);
const bench = BENCHES.find((b) => b.name === name);
if (!bench) {
  console.error(
    `usage: npm run bench -- <name> [--key=value ...]\n\nbenchmarks:\n${BENCHES.map((b) => `  ${b.name.padEnd(10)} ${b.summary}`).join('\n')}`,
  );
  process.exit(2);
}
const fields = await bench.run(parseArgs(rest), (line) => console.error(`[${bench.name}] ${line}`));
console.log(resultLine(bench.name, fields));
