import https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { ERROR_CODES, SlipwayError, type ErrorCode } from '../../core/errors.js';
import type { AppRoute, HealthCheckSettings, RouteServer, ServerAdminState, ServerStatus } from '../port.js';
import { AGENT_CN, CALL_PATH, toWire, type AgentCall, type AgentStatus } from './ingress-wire.js';

export interface ClientTls {
  key: string;
  cert: string;
  ca: string;
}

/**
 * Answers within this, plus the wait a call itself asks for. Short: an agent answers in milliseconds, and a
 * node that died must leave the set before it holds up a deploy step for long.
 */
const CALL_TIMEOUT_MS = 5_000;

/**
 * One ingress node's HAProxy, driven through its agent (mutual TLS, certificates from Slipway's CA). An
 * agent that cannot be reached is HAPROXY_UNAVAILABLE with `details.unreachable`: the fan-out takes that
 * node out of the set until it answers and is synced again.
 */
export class RemoteRouter {
  private readonly agent: https.Agent;

  constructor(
    /** The node's name, for messages. */
    readonly node: string,
    readonly address: string,
    readonly port: number,
    tls: ClientTls,
  ) {
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 8,
      ...tls,
      // The agent is named by its certificate (issued by Slipway's CA), not by an address it happens to have.
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        cert.subject?.CN === AGENT_CN ? undefined : new Error(`not a Slipway ingress agent (CN ${cert.subject?.CN})`),
    });
  }

  close(): void {
    this.agent.destroy();
  }

  status(): Promise<AgentStatus> {
    return this.call<AgentStatus>({ op: 'status' });
  }

  sync(routes: AppRoute[], exact = false): Promise<void> {
    return this.call({ op: 'sync', routes: routes.map(toWire), exact }, 60_000);
  }

  addServer(app: string, server: RouteServer, check: HealthCheckSettings): Promise<void> {
    return this.call({ op: 'addServer', app, server, check: { ...check } });
  }

  waitServerUp(app: string, name: string, timeoutMs: number): Promise<void> {
    return this.call({ op: 'waitServerUp', app, name, timeoutMs }, timeoutMs);
  }

  setServerState(app: string, name: string, state: ServerAdminState): Promise<void> {
    return this.call({ op: 'setServerState', app, name, state });
  }

  setServerWeight(app: string, name: string, weight: number): Promise<void> {
    return this.call({ op: 'setServerWeight', app, name, weight });
  }

  waitSessionsZero(app: string, name: string, timeoutMs: number): Promise<boolean> {
    return this.call<boolean>({ op: 'waitSessionsZero', app, name, timeoutMs }, timeoutMs);
  }

  removeServer(app: string, name: string, timeoutMs: number): Promise<void> {
    return this.call({ op: 'removeServer', app, name, timeoutMs }, timeoutMs);
  }

  serverStatuses(app: string): Promise<ServerStatus[]> {
    return this.call<ServerStatus[]>({ op: 'serverStatuses', app });
  }

  private call<T = void>(call: AgentCall, waitMs = 0): Promise<T> {
    const body = JSON.stringify(call);
    return new Promise<T>((resolve, reject) => {
      const req = https.request(
        {
          host: this.address,
          port: this.port,
          method: 'POST',
          path: CALL_PATH,
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: CALL_TIMEOUT_MS + waitMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (err) => reject(this.unreachable(err)));
          res.on('end', () => {
            try {
              const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                result?: T;
                error?: { code?: string; message?: string; hint?: string; details?: Record<string, unknown> };
              };
              if (res.statusCode === 200) return resolve(parsed.result as T);
              reject(this.remoteError(parsed.error ?? {}));
            } catch (err) {
              reject(this.unreachable(err));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${CALL_TIMEOUT_MS + waitMs} ms`)));
      req.on('error', (err) => reject(this.unreachable(err)));
      req.end(body);
    });
  }

  private unreachable(cause: unknown): SlipwayError {
    const why = cause instanceof Error ? cause.message : String(cause);
    return new SlipwayError('HAPROXY_UNAVAILABLE', `the ingress HAProxy on ${this.node} cannot be reached: ${why}`, {
      hint: `check that node ${this.node} is up and that the manager reaches ${this.address}:${this.port}`,
      details: { node: this.node, unreachable: true },
      cause,
    });
  }

  private remoteError(e: { code?: string; message?: string; hint?: string; details?: Record<string, unknown> }) {
    const code: ErrorCode = e.code && e.code in ERROR_CODES ? (e.code as ErrorCode) : 'INTERNAL';
    return new SlipwayError(code, `ingress ${this.node}: ${e.message ?? 'failed'}`, {
      ...(e.hint ? { hint: e.hint } : {}),
      details: { ...(e.details ?? {}), node: this.node },
    });
  }
}

export function isUnreachable(err: unknown): boolean {
  return err instanceof SlipwayError && err.details?.['unreachable'] === true;
}
