import { readdirSync, readFileSync } from 'node:fs';

export interface Cost {
  cpuMs: number;
  switches: number;
}

/** A process's CPU time and context switches so far, all its threads (the SQLite pool too). */
export function serverCost(pid: number): Cost {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime, in clock ticks (100 per second on Linux).
  const cpuMs = (Number(stat[11]) + Number(stat[12])) * 10;
  let switches = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const kind of ['voluntary', 'nonvoluntary'])
      switches += Number(new RegExp(`^${kind}_ctxt_switches:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  }
  return { cpuMs, switches };
}

export function costPerCall(pid: number, before: Cost, calls: number, per = 'call'): string {
  const after = serverCost(pid);
  return (
    `CPU ${((after.cpuMs - before.cpuMs) / calls).toFixed(2)} ms/${per}, ` +
    `${((after.switches - before.switches) / calls).toFixed(1)} context switches/${per}`
  );
}
