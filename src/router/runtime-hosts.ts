import { backendName, validateHostname } from './haproxy-names.js';
import type { AppRoute } from './port.js';

/** Host routing at runtime: the hosts map HAProxy loaded, changed with `add/set/del map` (no reload). */

export interface MapEntry {
  key: string;
  value: string;
}

export function showMapCommand(mapFile: string): string {
  return `show map ${mapFile}`;
}

/** Parses `show map <file>`: one `<ref> <key> <value>` line per entry. */
export function parseShowMap(text: string): MapEntry[] {
  const entries: MapEntry[] = [];
  for (const line of text.split('\n')) {
    const [ref, key, value] = line.trim().split(/\s+/);
    if (ref?.startsWith('0x') && key && value) entries.push({ key, value });
  }
  return entries;
}

/** Whether `show map` answered with the map's entries (an empty map answers with nothing). */
export function isMapListing(text: string): boolean {
  return text.trim() === '' || parseShowMap(text).length > 0;
}

/** The entries the hosts map should hold: host → the app's backend. */
export function desiredHostEntries(routes: AppRoute[]): MapEntry[] {
  return routes.flatMap((route) =>
    route.hosts.map((host) => ({ key: validateHostname(host), value: backendName(route.app) })),
  );
}

/**
 * Commands that turn the live map into the desired one: new and changed hosts first, then hosts
 * that are gone. A key listed twice live is deleted and added again (one entry per host).
 */
export function planHostCommands(mapFile: string, live: MapEntry[], desired: MapEntry[]): string[] {
  const liveByKey = new Map<string, string[]>();
  for (const entry of live) liveByKey.set(entry.key, [...(liveByKey.get(entry.key) ?? []), entry.value]);
  const wanted = new Map(desired.map((entry) => [entry.key, entry.value]));
  const commands: string[] = [];
  for (const [key, value] of [...wanted].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const values = liveByKey.get(key);
    if (values === undefined) commands.push(`add map ${mapFile} ${key} ${value}`);
    else if (values.length > 1) commands.push(`del map ${mapFile} ${key}`, `add map ${mapFile} ${key} ${value}`);
    else if (values[0] !== value) commands.push(`set map ${mapFile} ${key} ${value}`);
  }
  for (const key of [...liveByKey.keys()].sort()) {
    if (!wanted.has(key)) commands.push(`del map ${mapFile} ${key}`);
  }
  return commands;
}

/** `add/set/del map` answer nothing on success; deleting a missing key is fine too. */
export function hostCommandOk(command: string, answer: string): boolean {
  const text = answer.trim();
  return text === '' || (command.startsWith('del map ') && /^Key not found/.test(text));
}
