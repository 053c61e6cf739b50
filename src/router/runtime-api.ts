import { serverRef } from './haproxy-names.js';
import { sleep } from '../core/abort.js';
import { SlipwayError } from '../core/errors.js';
import type { HealthCheckSettings, RouteServer, ServerAdminState, ServerStatus } from './port.js';
import {
  addServerCommands,
  deleteServerCommand,
  parseCommandResponse,
  parseShowStat,
  setServerStateCommand,
  SHOW_ALL_SERVERS_STAT_COMMAND,
  showStatCommand,
  shutdownSessionsCommand,
  type RuntimeResult,
  type StatRow,
} from './runtime-commands.js';
import { sendSocketCommand } from './runtime-client.js';

/** Runs runtime-API commands on the live worker and turns HAProxy's answers into results or SlipwayErrors. */
export class RuntimeApi {
  constructor(private readonly socketPath: string) {}

  async run(command: string, signal?: AbortSignal): Promise<RuntimeResult> {
    return parseCommandResponse(await sendSocketCommand(this.socketPath, command, signal ? { signal } : {}));
  }

  async addServer(
    app: string,
    server: RouteServer,
    check: HealthCheckSettings,
    signal?: AbortSignal,
  ): Promise<'added' | 'existed' | 'no-backend'> {
    const [add, ...activate] = addServerCommands(app, server, check);
    const added = await this.run(add!, signal);
    if (!added.ok && added.failure === 'NO_SUCH_BACKEND') return 'no-backend';
    if (!added.ok && added.failure === 'ALREADY_EXISTS') {
      await this.setState(app, server.name, 'ready', signal);
      return 'existed';
    }
    expectOk(add!, added);
    for (const command of activate) expectOk(command, await this.run(command, signal));
    return 'added';
  }

  async setState(app: string, name: string, state: ServerAdminState, signal?: AbortSignal): Promise<void> {
    const command = setServerStateCommand(app, name, state);
    const result = await this.run(command, signal);
    if (!result.ok && (result.failure === 'NO_SUCH_SERVER' || result.failure === 'NO_SUCH_BACKEND')) {
      throw new SlipwayError('NOT_FOUND', `HAProxy has no server ${name} for app ${app}`, {
        details: { app, server: name },
      });
    }
    expectOk(command, result);
  }

  async setWeight(app: string, name: string, weight: number, signal?: AbortSignal): Promise<void> {
    const command = `set server ${serverRef(app, name)} weight ${Math.max(0, Math.min(256, Math.round(weight)))}`;
    const result = await this.run(command, signal);
    if (!result.ok && (result.failure === 'NO_SUCH_SERVER' || result.failure === 'NO_SUCH_BACKEND')) {
      throw new SlipwayError('NOT_FOUND', `HAProxy has no server ${name} for app ${app}`, {
        details: { app, server: name },
      });
    }
    expectOk(command, result);
  }

  async statuses(app: string, signal?: AbortSignal): Promise<ServerStatus[]> {
    const text = await sendSocketCommand(this.socketPath, showStatCommand(app), signal ? { signal } : {});
    return parseShowStat(text).map(({ name, status, sessions, checkStatus }) => ({
      name,
      status,
      sessions,
      checkStatus,
    }));
  }

  /** Every server of every backend; empty when HAProxy is not running. */
  async allServers(signal?: AbortSignal): Promise<StatRow[]> {
    try {
      return parseShowStat(
        await sendSocketCommand(this.socketPath, SHOW_ALL_SERVERS_STAT_COMMAND, signal ? { signal } : {}),
      );
    } catch {
      return [];
    }
  }

  /**
   * maint, then `del server` until HAProxy allows it (it refuses while connections are attached).
   * Past half the timeout, remaining sessions are shut down. A missing server counts as removed.
   * `exclusive` runs each attempt's commands (never the waits between them), e.g. never during a reload.
   */
  async removeServer(
    app: string,
    name: string,
    opts: { timeoutMs: number; signal?: AbortSignal; exclusive?: <T>(task: () => Promise<T>) => Promise<T> },
  ): Promise<void> {
    const started = Date.now();
    const exclusive = opts.exclusive ?? (<T>(task: () => Promise<T>) => task());
    let shutDown = false;
    let last = '';
    for (;;) {
      const deleted = await exclusive(async () => {
        const maint = await this.run(setServerStateCommand(app, name, 'maint'), opts.signal);
        return isMissing(maint) ? maint : this.run(deleteServerCommand(app, name), opts.signal);
      });
      if (deleted.ok || isMissing(deleted)) return;
      if (deleted.failure !== 'HAS_CONNECTIONS' && deleted.failure !== 'NOT_IN_MAINT') expectOk('del server', deleted);
      last = deleted.message;
      const elapsed = Date.now() - started;
      if (!shutDown && elapsed >= opts.timeoutMs / 2) {
        shutDown = true;
        await exclusive(() => this.run(shutdownSessionsCommand(app, name), opts.signal));
      }
      if (elapsed + 100 > opts.timeoutMs) {
        throw new SlipwayError(
          'TIMEOUT',
          `HAProxy did not let ${name} of ${app} be removed within ${opts.timeoutMs} ms`,
          {
            hint:
              'connections to the server are still open; ' +
              'it is in maintenance and gets no traffic, removal can be retried',
            details: { app, server: name, lastAnswer: last },
          },
        );
      }
      await sleep(100, opts.signal);
    }
  }
}

function isMissing(result: RuntimeResult): boolean {
  return !result.ok && (result.failure === 'NO_SUCH_SERVER' || result.failure === 'NO_SUCH_BACKEND');
}

function expectOk(command: string, result: RuntimeResult): void {
  if (result.ok) return;
  throw new SlipwayError(
    'INTERNAL',
    `HAProxy refused "${command.split(' ').slice(0, 2).join(' ')}": ${result.message}`,
    {
      details: { failure: result.failure, answer: result.message },
    },
  );
}
