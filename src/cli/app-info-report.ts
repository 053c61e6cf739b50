import type { AppInfo } from '../apps/app-info.js';
import { formatBytes, formatMs } from '../config/value-units.js';
import { describeSource } from './actions/builds.js';
import { age } from './reporter.js';

/** `apps:info` as text: one `key: value` row per fact, continuation lines indented. */
export function appInfoLines(info: AppInfo, now = Date.now()): string[] {
  const lines: string[] = [`=== ${info.name}`];
  const row = (key: string, values: string[]) =>
    values.forEach((value, i) => lines.push(`${i === 0 ? `${key}:` : ''}`.padEnd(14) + value));
  row(
    'URLs',
    info.urls.map((u) => u.url),
  );
  const r = info.release;
  row(
    'Release',
    r
      ? [
          `v${r.version} (${r.status}) ${r.description} — ${age(r.createdAt, now)} ago by ${r.createdBy}`,
          `image ${r.image}${r.image.startsWith('sha256:') ? '' : ` (${r.imageId.slice(0, 19)})`}`,
          ...(r.build
            ? [
                `build ${r.build.id}, commit ${describeSource({ description: '', ...r.build })}` +
                  (r.build.branch ? ` (${r.build.branch})` : ''),
              ]
            : [r.source.kind === 'image' ? `deployed image ${r.source.image}` : r.source.description]),
        ]
      : ['none yet (deploy with `slipway deploy`)'],
  );
  const formation = Object.entries(info.formation).map(([t, n]) => `${t}=${n}`);
  row('Formation', [formation.join(' ') || '(none)']);
  const states = Object.entries(info.processes.byState).map(([state, n]) => `${n} ${state}`);
  row('Processes', [states.join(', ') || 'no containers']);
  const s = info.settings;
  row('Settings', [
    `port ${s.port}, health check ${s.healthcheck}, ${s.strategy}, ` +
      `drain ${formatMs(s.drainTimeoutMs)}, stop grace ${s.stopGraceSec}s`,
  ]);
  row(
    'Resources',
    Object.entries(info.resources).map(
      ([type, l]) =>
        `${type}: memory ${l.memoryBytes === undefined ? '-' : formatBytes(l.memoryBytes)}, ` +
        `pids ${l.pids ?? '-'}, cpu ${l.cpus ?? 'no limit'}`,
    ),
  );
  row(
    'Domains',
    info.domains.map((d) => `${d.host}${d.kind === 'default' ? ' (default)' : ''}`),
  );
  const c = info.certificate;
  const expiry = (days: number) => (days < 0 ? 'EXPIRED' : `in ${days} days`);
  row('Certificate', [
    c
      ? `${c.names.join(', ')} — expires ${c.notAfter} (${expiry(c.expiresInDays)})`
      : 'none (HTTP only; `slipway certs:add`)',
  ]);
  const m = info.maintenance;
  row('Maintenance', [
    m.enabled
      ? `ON since ${m.changedAt} (Retry-After ${m.retryAfterSec}s, ${m.page === 'app' ? "app's" : "Slipway's"} page)`
      : 'off',
  ]);
  if (info.renamedFrom)
    row('Renamed from', [
      `${info.renamedFrom.name} (${info.renamedFrom.at})` +
        (info.renamedFrom.relabelled ? '' : ' — containers are still being restarted with the new name'),
    ]);
  row('Problems', info.problems.length > 0 ? info.problems : ['none']);
  return lines;
}
