/** HAProxy master CLI (`-S` socket): commands and the `show proc` parser. */

export const SHOW_PROC_COMMAND = 'show proc';
export const RELOAD_COMMAND = 'reload';

export interface ProcessTable {
  masterPid: number;
  /** How many times the master reloaded, and how many of those failed. */
  reloads: number;
  failedReloads: number;
  /** Current workers (old workers still finishing requests after a reload are not listed). */
  workers: number[];
  oldWorkers: number[];
}

/**
 * Parses `show proc`:
 * ```
 * #<PID>          <type>          <reloads>       <uptime>        <version>
 * 9816            master          2 [failed: 0]   0d00h11m53s     2.6.12
 * # workers
 * 28436           worker          0               0d00h00m01s     2.6.12
 * # old workers
 * ```
 */
export function parseShowProc(text: string): ProcessTable | undefined {
  const table: ProcessTable = { masterPid: 0, reloads: 0, failedReloads: 0, workers: [], oldWorkers: [] };
  let section: 'master' | 'workers' | 'old' | 'other' = 'master';
  for (const line of text.split('\n')) {
    if (line.startsWith('# old workers')) section = 'old';
    else if (line.startsWith('# workers')) section = 'workers';
    else if (line.startsWith('#')) section = line.startsWith('#<PID>') ? 'master' : 'other';
    if (line.startsWith('#') || line.trim() === '') continue;
    const [pid, type, reloads] = line.trim().split(/\s+/);
    const pidNumber = Number(pid);
    if (!Number.isInteger(pidNumber) || pidNumber <= 0) continue;
    if (type === 'master') {
      table.masterPid = pidNumber;
      table.reloads = Number(reloads) || 0;
      table.failedReloads = Number(/\[failed: (\d+)\]/.exec(line)?.[1] ?? 0);
    } else if (type === 'worker' && section === 'workers') table.workers.push(pidNumber);
    else if (type === 'worker' && section === 'old') table.oldWorkers.push(pidNumber);
  }
  return table.masterPid === 0 ? undefined : table;
}
