import type { HaproxyPaths } from './haproxy-config.js';
import type { AppRoute } from './port.js';
import { sendSocketCommand } from './runtime-client.js';
import {
  desiredHostEntries,
  hostCommandOk,
  isMapListing,
  parseShowMap,
  planHostCommands,
  showMapCommand,
  type MapEntry,
} from './runtime-hosts.js';
import { maintenanceEntries } from './maintenance.js';
import {
  appliedTlsOf,
  classifyTlsAnswer,
  planTlsSteps,
  tlsCommand,
  type AppliedTls,
  type TlsStep,
} from './runtime-tls.js';

export type LiveRoutingEvent =
  | { type: 'router.hosts-applied'; commands: number }
  | { type: 'router.maintenance-applied'; commands: number }
  | { type: 'router.certs-applied'; steps: string[] };

/** Why the runtime API could not apply a change: the caller reloads instead (files are already written). */
export interface ReloadNeeded {
  reason: string;
}

/**
 * Applies host and certificate changes to the running HAProxy through its runtime API, without a
 * reload. What HAProxy serves is known from the last files it loaded (`loaded`) plus the changes
 * applied since; the hosts map is read back from HAProxy itself.
 */
export class LiveRouting {
  private appliedTls = new Map<string, AppliedTls>();

  constructor(
    private readonly paths: Pick<
      HaproxyPaths,
      'runtimeSocket' | 'hostsMap' | 'maintenanceMap' | 'crtList' | 'certsDir'
    >,
    private readonly tlsEnabled: boolean,
    private readonly log: (event: LiveRoutingEvent) => void = () => {},
  ) {}

  /** HAProxy (re)loaded the files rendered for `routes`. */
  loaded(routes: AppRoute[]): void {
    this.appliedTls = this.tlsEnabled ? appliedTlsOf(routes) : new Map();
  }

  /** Hosts, then maintenance, then certificates; undefined when everything was applied. */
  async apply(routes: AppRoute[], signal?: AbortSignal): Promise<ReloadNeeded | undefined> {
    const hosts = await this.applyMap(this.paths.hostsMap, desiredHostEntries(routes), signal);
    if (typeof hosts !== 'number') return hosts;
    if (hosts > 0) this.log({ type: 'router.hosts-applied', commands: hosts });
    const maintenance = await this.applyMap(this.paths.maintenanceMap, maintenanceEntries(routes), signal);
    if (typeof maintenance !== 'number') return maintenance;
    if (maintenance > 0) this.log({ type: 'router.maintenance-applied', commands: maintenance });
    if (!this.tlsEnabled) return undefined;
    return this.applyTls(routes, signal);
  }

  /** Makes a live map hold `desired` (`add/set/del map`); the number of commands run, or why a reload is needed. */
  private async applyMap(map: string, desired: MapEntry[], signal?: AbortSignal): Promise<ReloadNeeded | number> {
    const listing = await this.send(showMapCommand(map), signal);
    if (!isMapListing(listing)) return { reason: `show map: ${firstLine(listing)}` };
    const commands = planHostCommands(map, parseShowMap(listing), desired);
    for (const command of commands) {
      const answer = await this.send(command, signal);
      if (!hostCommandOk(command, answer))
        return { reason: `${command.split(' ').slice(0, 2).join(' ')}: ${firstLine(answer)}` };
    }
    return commands.length;
  }

  private async applyTls(routes: AppRoute[], signal?: AbortSignal): Promise<ReloadNeeded | undefined> {
    const steps = planTlsSteps(this.appliedTls, routes, this.paths.certsDir);
    if (steps.length === 0) return undefined;
    const pemOf = (step: TlsStep) =>
      step.op === 'set-cert' ? routes.find((route) => route.app === step.app)?.tls?.pem() : undefined;
    for (const step of steps) {
      // The command may carry a private key: only the step's op and file ever reach an error or a log.
      const answer = await this.send(tlsCommand(step, this.paths.crtList, pemOf(step)), signal);
      const outcome = classifyTlsAnswer(step, answer);
      if (outcome !== 'ok') {
        if (step.op === 'set-cert' || step.op === 'commit-cert')
          await this.send(`abort ssl cert ${step.file}`, signal).catch(() => undefined);
        return {
          reason:
            `${step.op} ${step.file}: ` +
            `${outcome === 'unsupported' ? 'not supported by this HAProxy' : firstLine(answer)}`,
        };
      }
    }
    this.appliedTls = appliedTlsOf(routes);
    this.log({ type: 'router.certs-applied', steps: steps.map((step) => `${step.op} ${step.app}`) });
    return undefined;
  }

  private send(command: string, signal?: AbortSignal): Promise<string> {
    return sendSocketCommand(this.paths.runtimeSocket, command, { timeoutMs: 10_000, ...(signal ? { signal } : {}) });
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 200) ?? '';
}
