import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlipwayError } from '../../core/errors.js';
import { readJson, sendError, sendJson } from '../../server/http-kit.js';
import type { AppRoute, Router } from '../port.js';
import { RouteBook } from './route-book.js';
import {
  CALL_PATH,
  MANAGER_CN,
  MAX_CALL_BYTES,
  agentCall,
  fromWire,
  type AgentCall,
  type AgentStatus,
} from './ingress-wire.js';

export interface AgentTls {
  key: string;
  cert: string;
  /** Slipway's CA: the only issuer of a client certificate this agent serves. */
  ca: string;
}

export interface IngressAgentOptions {
  /** The HAProxy of this node. */
  router: Router;
  tls: AgentTls;
  port: number;
  bind?: string;
  log?: (message: string) => void;
}

const CALL_HINT = 'the ingress agent takes calls from the Slipway manager only';

/**
 * Runs on every ingress node, next to its HAProxy: serves the manager's router calls (mutual TLS), keeps
 * the book of what it was told, and starts HAProxy from that book on the first sync (and the supervisor
 * restarts it from the book after a crash).
 */
export class IngressAgent {
  private readonly book = new RouteBook();
  private readonly bootId = randomUUID();
  private started: Promise<void> | undefined;
  private syncs = 0;
  private server: https.Server | undefined;

  constructor(private readonly opts: IngressAgentOptions) {}

  async listen(): Promise<{ port: number }> {
    const server = https.createServer(
      { ...this.opts.tls, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
      (req, res) => void this.serve(req, res),
    );
    server.headersTimeout = 15_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.bind ?? '0.0.0.0', () => resolve());
    });
    const address = server.address();
    return { port: typeof address === 'object' && address ? address.port : this.opts.port };
  }

  async close(opts: { stopProxy?: boolean } = {}): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    if (this.started) await this.opts.router.stop(opts);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      if (peer?.subject?.CN !== MANAGER_CN)
        throw new SlipwayError('FORBIDDEN', 'this certificate may not drive the ingress agent', { hint: CALL_HINT });
      if (req.method !== 'POST' || req.url !== CALL_PATH)
        throw new SlipwayError('NOT_FOUND', `no ${req.method ?? ''} ${req.url ?? ''} here`, { hint: CALL_HINT });
      const parsed = agentCall.safeParse(await readJson(req, MAX_CALL_BYTES));
      if (!parsed.success) {
        const where = parsed.error.issues.map((i) => i.path.join('.') || '(call)').slice(0, 5);
        throw new SlipwayError('INVALID_INPUT', `not a router call: ${where.join(', ')}`, { hint: CALL_HINT });
      }
      const call = parsed.data;
      sendJson(res, 200, { result: (await this.handle(call)) ?? null });
    } catch (err) {
      if (!(err instanceof SlipwayError)) this.opts.log?.(`ingress agent: ${String(err)}`);
      sendError(res, err);
    }
  }

  /** Servers HAProxy has that the routes do not list: left from changes this node missed. */
  private async removeUnlisted(routes: AppRoute[]): Promise<void> {
    for (const route of routes) {
      const listed = new Set(route.servers.map((s) => s.name));
      for (const status of await this.opts.router.serverStatuses(route.app)) {
        if (!listed.has(status.name)) await this.opts.router.removeServer(route.app, status.name, { timeoutMs: 2_000 });
      }
    }
  }

  /** One router call; the book changes only after HAProxy took the change. */
  async handle(call: AgentCall): Promise<unknown> {
    const router = this.opts.router;
    if (call.op === 'status')
      return { bootId: this.bootId, synced: this.started !== undefined, syncs: this.syncs } satisfies AgentStatus;
    if (call.op === 'sync') {
      const routes = call.routes.map(fromWire);
      if (!this.started) {
        this.book.replace(routes);
        this.started = router.start(() => this.book.all());
        this.started.catch(() => (this.started = undefined));
        await this.started;
      } else {
        await this.started;
        await router.syncApps(routes);
      }
      // A HAProxy this agent adopted, or one that missed changes, may hold servers the book no longer has.
      if (call.exact) {
        await this.removeUnlisted(routes);
        this.book.replace(routes);
      } else {
        this.book.merge(routes);
      }
      this.syncs++;
      return null;
    }
    // The manager treats this like an unreachable node: it leaves the set and is given the whole book.
    if (!this.started)
      throw new SlipwayError('HAPROXY_UNAVAILABLE', 'the ingress agent has not been synced yet', {
        details: { unreachable: true },
      });
    await this.started;
    switch (call.op) {
      case 'addServer':
        // Idempotent: a server the book has (a sync that already carried it) is only brought to its state.
        if (this.book.has(call.app, call.server.name)) {
          await router.setServerState(call.app, call.server.name, call.server.state);
        } else {
          await router.addServer(call.app, call.server, call.check);
        }
        this.book.addServer(call.app, call.server, call.check);
        return null;
      case 'setServerState':
        await router.setServerState(call.app, call.name, call.state);
        this.book.setState(call.app, call.name, call.state);
        return null;
      case 'setServerWeight':
        await router.setServerWeight(call.app, call.name, call.weight);
        this.book.setWeight(call.app, call.name, call.weight);
        return null;
      case 'removeServer':
        await router.removeServer(call.app, call.name, { timeoutMs: call.timeoutMs });
        this.book.remove(call.app, call.name);
        return null;
      case 'waitServerUp':
        await router.waitServerUp(call.app, call.name, { timeoutMs: call.timeoutMs });
        return null;
      case 'waitSessionsZero':
        return router.waitSessionsZero(call.app, call.name, { timeoutMs: call.timeoutMs });
      case 'serverStatuses':
        return router.serverStatuses(call.app);
    }
  }
}
