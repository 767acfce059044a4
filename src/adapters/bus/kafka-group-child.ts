// A group member in a process of its own, for kafka-group.test.ts to SIGKILL mid-batch (an
// abandoned member: no LeaveGroup, no commit). argv[2] is the consumer options as JSON. It
// reports on stdout, one JSON line each: its assignment when it changes, then, once it has
// records, the values it committed (the first half of its first batch) and the ones it holds
// uncommitted; then it keeps polling without committing until it is killed.
import { KafkaBusConsumer } from './kafka-consumer.ts';
import type { KafkaConsumerOptions } from './kafka-options.ts';
import { envelopeEnd } from './kafka-envelope.ts';
import { nextOffsets } from '../../modules/processor/processor-loop.ts';

const opts = JSON.parse(process.argv[2]!) as KafkaConsumerOptions;
const consumer = new KafkaBusConsumer(opts);
const say = (m: object) => process.stdout.write(`${JSON.stringify(m)}\n`);

let assigned = '';
let reported = false;
for (;;) {
  const got = await consumer.poll(1000);
  const now = consumer.assignment().join(',');
  if (now !== assigned) {
    assigned = now;
    say({ type: 'assigned', partitions: consumer.assignment() });
  }
  if (!reported && got.length > 0) {
    // Records of one envelope share an offset and commit together: end the half after one.
    const half = got.slice(0, envelopeEnd(got, Math.floor(got.length / 2)));
    await consumer.commit(nextOffsets(half));
    say({
      type: 'batch',
      committed: half.map((r) => r.value),
      held: got.slice(half.length).map((r) => r.value),
    });
    reported = true;
  }
  await new Promise((r) => setTimeout(r, 50));
}
