/** The narrow interface Slipway needs from its data plane (HAProxy). */
import type { RouteMaintenance } from './maintenance.js';

export type ServerAdminState = 'ready' | 'drain' | 'maint';

export interface RouteServer {
  /** HAProxy server name, unique within the app's backend, e.g. `web-3f2a9c1b0d4e`. */
  name: string;
  /** The container's own bridge IP (or 127.0.0.1 and a published port, for routes stored before issue 8). */
  address: string;
  port: number;
  state: ServerAdminState;
  /** HAProxy weight (default 1); 0 = health-checked and UP but given no traffic (blue-green staging). */
  weight?: number;
}

export interface HealthCheckSettings {
  /** HTTP path for HAProxy's active check; undefined = GET / accepting any HTTP status. */
  path?: string;
  intervalMs: number;
  timeoutMs: number;
}

/** The app's TLS certificate, served on the HTTPS port for `sniHosts`. */
export interface RouteTls {
  /** Changes whenever the stored certificate changes: a new id is installed at runtime. */
  id: string;
  /** SNI names the certificate is served for: the app's hosts that it covers. */
  sniHosts: string[];
  /** Certificate chain then private key, PEM. Read only when the router writes or installs it; never log it. */
  pem: () => string;
}

export interface AppRoute {
  app: string;
  /** Hostnames (lowercase, no port) routed to this app. Changes apply at runtime, without a reload. */
  hosts: string[];
  check: HealthCheckSettings;
  servers: RouteServer[];
  /** Installed and replaced at runtime (no reload) when HAProxy allows it. */
  tls?: RouteTls | undefined;
  /** Maintenance mode: on/off and Retry-After change at runtime; a new page of the app's is a reload. */
  maintenance?: RouteMaintenance | undefined;
}

export interface ServerStatus {
  name: string;
  /** HAProxy's status column: UP, DOWN, MAINT, DRAIN, "no check", "UP 1/2", ... */
  status: string;
  /** Current sessions on this server. */
  sessions: number;
  /** Last check status (e.g. L4OK, L7OK, L4CON), empty when none. */
  checkStatus: string;
}

/**
 * The routes HAProxy should serve (every app, from the store), supplied by the composition root. The
 * router reads it only when it starts HAProxy (at start-up, after HAProxy died, or when an app's backend
 * is missing from the running proxy), never for a runtime change.
 */
export type RouteSource = () => AppRoute[];

export interface Router {
  /** Starts (or adopts an already running) HAProxy with every route of `routes` applied. */
  start(routes: RouteSource, signal?: AbortSignal): Promise<void>;
  /** Stops supervising; with `stopProxy` also stops HAProxy (otherwise it keeps serving). */
  stop(opts?: { stopProxy?: boolean }): Promise<void>;
  /**
   * Makes HAProxy's backends, hosts and certificates match `routes`: hosts and certificates change
   * through the runtime API (no reload); a seamless reload only when backends or check settings
   * change, or a runtime step is not supported. Servers listed in routes are kept.
   * Given a route source, it is read when the change is made — after every earlier change to HAProxy
   * finished — so servers stored meanwhile (a deploy of another app) are in the config it writes, and
   * calls queued behind one reload find nothing left to reload.
   */
  syncApps(routes: AppRoute[] | RouteSource, signal?: AbortSignal): Promise<void>;
  /** Adds a dynamic server (no reload), with the app's active health check `check`, in state ready. */
  addServer(app: string, server: RouteServer, check: HealthCheckSettings, signal?: AbortSignal): Promise<void>;
  /** Waits until HAProxy itself reports the server UP. */
  waitServerUp(app: string, name: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void>;
  setServerState(app: string, name: string, state: ServerAdminState, signal?: AbortSignal): Promise<void>;
  /** Changes a server's weight at runtime (0 = no new traffic while staying UP). */
  setServerWeight(app: string, name: string, weight: number, signal?: AbortSignal): Promise<void>;
  /** Waits until the server has no current sessions; returns false when the timeout ended first. */
  waitSessionsZero(app: string, name: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<boolean>;
  /** maint, then delete the server once HAProxy allows it (idempotent: a missing server is fine). */
  removeServer(app: string, name: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void>;
  serverStatuses(app: string, signal?: AbortSignal): Promise<ServerStatus[]>;
  /** Called after HAProxy was (re)started by the supervisor and routes were re-applied. */
  onRestart(listener: () => void): void;
  /**
   * Why an app's routes are not in the proxy (e.g. a stored health-check path the proxy cannot use);
   * empty when it is routed. Such apps are left out while every other app keeps serving.
   */
  routeProblems(app: string): string[];
}
