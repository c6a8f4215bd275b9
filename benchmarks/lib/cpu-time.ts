import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: the unit of utime and stime in `/proc/<pid>/stat` on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) a process has used so far, from `/proc/<pid>/stat`; undefined where procfs is
 * not available. Resolution is 10 ms, plenty over a load run of seconds.
 */
export function cpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) return undefined;
  return (userTicks + systemTicks) / CLOCK_TICKS_PER_SECOND;
}
