// The nice value of each thread of a process, read from /proc (Linux; [] elsewhere). The
// processor's workers lower their own priority where ingest shares their process, and only there.
import { readFileSync, readdirSync } from 'node:fs';

export function threadNices(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const nices: number[] = [];
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start at field 3; nice is field 19.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      nices.push(Number(fields[16]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return nices;
}
