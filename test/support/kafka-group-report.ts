// One line per partition of a topic: log end, the group's committed offset, the lag and the
// member that owns it. A drain that stalls in CI leaves only its output behind, and this tells a
// partition nobody fetches from an offset that went back or a partition nobody owns.
import { ListOffsetTimestamps } from '@platformatic/kafka';
import { openAdmin } from '../../src/adapters/bus/kafka-admin.ts';

export async function groupReport(brokers: string[], topic: string, group: string): Promise<string> {
  const admin = openAdmin({ brokers, clientId: 'gridops-test', topic, partitions: 0 }, 'report');
  try {
    const metadata = await admin.metadata({ topics: [topic] });
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    const partitions = Array.from({ length: count }, (_, partitionIndex) => ({
      partitionIndex,
      timestamp: ListOffsetTimestamps.LATEST,
    }));
    const [listed, offsets, groups] = await Promise.all([
      admin.listOffsets({ topics: [{ name: topic, partitions }] }),
      admin.listConsumerGroupOffsets({ groups: [{ groupId: group, topics: null }] }),
      admin.describeGroups({ groups: [group] }),
    ]);
    const ends = new Map(listed.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.offset])));
    const committed = new Map(
      (offsets[0]?.topics ?? [])
        .filter((t) => t.name === topic)
        .flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.committedOffset])),
    );
    const described = groups.get(group);
    const owners = new Map<number, string>();
    for (const m of described?.members.values() ?? []) {
      for (const p of m.assignments?.get(topic)?.partitions ?? [])
        owners.set(p, `${m.clientId} ${m.id.slice(-8)}`);
    }
    const lines = [...ends]
      .sort(([a], [b]) => a - b)
      .map(([p, end]) => {
        const at = committed.get(p) ?? -1n;
        return `  partition ${p}: end ${end}, committed ${at}, lag ${at >= 0n ? end - at : '?'}, owner ${owners.get(p) ?? 'none'}`;
      });
    return [
      `group ${group}: ${described?.state ?? 'unknown'}, ${described?.members.size ?? 0} members`,
      ...lines,
    ].join('\n');
  } finally {
    await admin.close();
  }
}
