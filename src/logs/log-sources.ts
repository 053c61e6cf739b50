import { SlipwayError } from '../core/errors.js';
import type { LogQuery, LogService } from './log-service.js';
import type { AppLogLine } from './log-line.js';
import type { RouterLogLine, RouterLogService } from './router-log-service.js';
import { mergeLive } from './live-merge.js';

/** Whose lines `logs` shows: the app's containers (default), the router's access log, or both merged by time. */
export type LogSourceName = 'app' | 'router' | 'all';

const SOURCES: LogSourceName[] = ['app', 'router', 'all'];

/** `?source=` → app (missing), router or all. */
export function parseLogSource(raw: string | null | undefined): LogSourceName {
  if (raw === null || raw === undefined || raw === '') return 'app';
  if ((SOURCES as string[]).includes(raw)) return raw as LogSourceName;
  throw new SlipwayError('INVALID_INPUT', `unknown log source ${JSON.stringify(raw.slice(0, 40))}`, {
    hint: 'use --source app (the containers, default), --source router (access log) or --source all',
  });
}

/**
 * The lines of the chosen source. `all` merges both in time order (the backlog `tail` lines of each,
 * then, with follow, both as they come). The router's access log has no process types: with a
 * process filter only app lines are shown.
 */
export function sourceLines(
  services: { app: LogService; router: RouterLogService },
  source: LogSourceName,
  app: string,
  query: LogQuery,
): AsyncIterable<AppLogLine | RouterLogLine> {
  const router = () =>
    services.router.lines(app, {
      ...(query.tail !== undefined ? { tail: query.tail } : {}),
      ...(query.follow ? { follow: true } : {}),
      ...(query.signal ? { signal: query.signal } : {}),
    });
  if (source === 'router' && !services.router.enabled)
    throw new SlipwayError('INVALID_INPUT', 'the router access log is off on this server (SLIPWAY_ROUTER_LOGS=off)', {
      hint: 'start the server without SLIPWAY_ROUTER_LOGS=off to keep router logs',
    });
  if (source === 'all' && !services.router.enabled) return services.app.lines(app, query);
  if (source === 'router' && query.process)
    throw new SlipwayError('INVALID_INPUT', "the router's access log has no process types", {
      hint: 'drop --ps, or use --source app --ps TYPE',
    });
  if (source === 'app' || (source === 'all' && query.process)) return services.app.lines(app, query);
  if (source === 'router') return router();
  return mergeLive<AppLogLine | RouterLogLine>([services.app.lines(app, query), router()]);
}
