// One line per partition of a topic: log end, the group's committed offset, the lag and the
// member that owns it. A drain that stalls in CI leaves only its output behind, and this tells a
// partition nobody fetches from an offset that went back or a partition nobody owns.
import { KafkaLagReader, openAdmin } from '../../src/adapters/bus/kafka-admin.ts';

export async function groupReport(brokers: string[], topic: string, group: string): Promise<string> {
  const opts = { brokers, clientId: 'gridops-test', topic, partitions: 0 };
  const admin = openAdmin(opts, 'report');
  try {
    const [positions, groups] = await Promise.all([
      new KafkaLagReader(admin, opts).positions(group),
      admin.describeGroups({ groups: [group] }),
    ]);
    const described = groups.get(group);
    const owners = new Map<number, string>();
    for (const m of described?.members.values() ?? []) {
      for (const p of m.assignments?.get(topic)?.partitions ?? [])
        owners.set(p, `${m.clientId} ${m.id.slice(-8)}`);
    }
    const lines = [...positions]
      .sort(([a], [b]) => a - b)
      .map(
        ([p, { end, committed, from }]) =>
          `  partition ${p}: end ${end}, committed ${committed ?? 'none'}, lag ${end - from}, owner ${owners.get(p) ?? 'none'}`,
      );
    const head = `group ${group}: ${described?.state ?? 'unknown'}, ${described?.members.size ?? 0} members`;
    return [head, ...lines].join('\n');
  } finally {
    await admin.close();
  }
}
