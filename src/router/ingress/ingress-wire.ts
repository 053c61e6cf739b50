import { z } from 'zod';
import type { AppRoute } from '../port.js';

/**
 * The ingress agent's protocol: one POST of a JSON call per router operation, over TLS with
 * certificates from Slipway's CA on both sides. The agent serves only the manager's client certificate
 * (its CN), the manager talks only to a certificate whose CN names an ingress agent.
 */
export const AGENT_CN = 'slipway-ingress';
export const MANAGER_CN = 'slipway-manager';
export const CALL_PATH = '/v1/call';
/** Certificates and maintenance pages of every app travel in a sync: bounded, but generous. */
export const MAX_CALL_BYTES = 32 * 1024 * 1024;

const app = z.string().min(1).max(100);
const name = z.string().min(1).max(100);
const timeoutMs = z.number().int().min(0).max(3_600_000);
const state = z.enum(['ready', 'drain', 'maint']);
const check = z.object({
  path: z.string().max(1024).optional(),
  intervalMs: z.number().int().min(1).max(60_000),
  timeoutMs: z.number().int().min(1).max(600_000),
});
const server = z.object({
  name,
  address: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65_535),
  state,
  weight: z.number().int().min(0).max(256).optional(),
});
const route = z.object({
  app,
  hosts: z.array(z.string().max(253)).max(1000),
  check,
  servers: z.array(server).max(10_000),
  tls: z
    .object({ id: z.string().max(200), sniHosts: z.array(z.string().max(253)).max(1000), pem: z.string() })
    .optional(),
  maintenance: z
    .object({
      enabled: z.boolean(),
      retryAfterSec: z.number().int().min(0),
      page: z.object({ id: z.string().max(200), html: z.string() }).optional(),
    })
    .optional(),
});

export const agentCall = z.discriminatedUnion('op', [
  z.object({ op: z.literal('status') }),
  // `exact`: the agent's servers become exactly the routes' (a node that missed changes while unreachable).
  z.object({ op: z.literal('sync'), routes: z.array(route).max(10_000), exact: z.boolean().optional() }),
  z.object({ op: z.literal('addServer'), app, server, check }),
  z.object({ op: z.literal('waitServerUp'), app, name, timeoutMs }),
  z.object({ op: z.literal('setServerState'), app, name, state }),
  z.object({ op: z.literal('setServerWeight'), app, name, weight: z.number().int().min(0).max(256) }),
  z.object({ op: z.literal('waitSessionsZero'), app, name, timeoutMs }),
  z.object({ op: z.literal('removeServer'), app, name, timeoutMs }),
  z.object({ op: z.literal('serverStatuses'), app }),
]);

export type AgentCall = z.infer<typeof agentCall>;
export type WireRoute = z.infer<typeof route>;

/** The agent's answer to `status`: `bootId` changes whenever the agent (and its HAProxy) starts anew. */
export interface AgentStatus {
  bootId: string;
  synced: boolean;
  /** How many full syncs it has taken since it started. */
  syncs: number;
}

/** A route as it travels: the certificate is read now (over the mutually authenticated channel only). */
export function toWire(r: AppRoute): WireRoute {
  return {
    app: r.app,
    hosts: r.hosts,
    check: r.check,
    servers: r.servers,
    ...(r.tls ? { tls: { id: r.tls.id, sniHosts: r.tls.sniHosts, pem: r.tls.pem() } } : {}),
    ...(r.maintenance ? { maintenance: r.maintenance } : {}),
  };
}

export function fromWire(w: WireRoute): AppRoute {
  const tls = w.tls;
  return {
    app: w.app,
    hosts: w.hosts,
    check: w.check,
    servers: w.servers,
    ...(tls ? { tls: { id: tls.id, sniHosts: tls.sniHosts, pem: () => tls.pem } } : {}),
    ...(w.maintenance ? { maintenance: w.maintenance } : {}),
  };
}
