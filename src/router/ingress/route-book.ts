import type { AppRoute, HealthCheckSettings, RouteServer, ServerAdminState } from '../port.js';

/**
 * What a router has been told, kept in step with every change: the routes of the last full sync, then
 * each server added, put in drain or maint, re-weighted or removed. An ingress HAProxy that joins (or
 * restarts) is given this book, so it starts from exactly what the manager's HAProxy serves.
 */
export class RouteBook {
  private routes = new Map<string, AppRoute>();

  replace(routes: AppRoute[]): void {
    this.routes = new Map(routes.map((route) => [route.app, { ...route, servers: [...route.servers] }]));
  }

  /**
   * A sync from the store: its apps, hosts and checks; each app's servers are the given ones plus those
   * the book has and the routes do not name yet (added by a deploy that has not stored them), the way a
   * reload keeps HAProxy's live servers.
   */
  merge(routes: AppRoute[]): void {
    const before = this.routes;
    this.replace(routes);
    for (const route of this.routes.values()) {
      const named = new Set(route.servers.map((s) => s.name));
      const kept = (before.get(route.app)?.servers ?? []).filter((s) => !named.has(s.name));
      route.servers.push(...kept);
    }
  }

  all(): AppRoute[] {
    return [...this.routes.values()].map((route) => ({ ...route, servers: route.servers.map((s) => ({ ...s })) }));
  }

  has(app: string, name: string): boolean {
    return this.routes.get(app)?.servers.some((s) => s.name === name) ?? false;
  }

  addServer(app: string, server: RouteServer, check: HealthCheckSettings): void {
    const route = this.routes.get(app);
    if (!route) return;
    route.check = check;
    route.servers = [...route.servers.filter((s) => s.name !== server.name), { ...server }];
  }

  setState(app: string, name: string, state: ServerAdminState): void {
    this.update(app, name, (s) => ({ ...s, state }));
  }

  setWeight(app: string, name: string, weight: number): void {
    this.update(app, name, (s) => ({ ...s, weight }));
  }

  remove(app: string, name: string): void {
    const route = this.routes.get(app);
    if (route) route.servers = route.servers.filter((s) => s.name !== name);
  }

  private update(app: string, name: string, change: (s: RouteServer) => RouteServer): void {
    const route = this.routes.get(app);
    if (route) route.servers = route.servers.map((s) => (s.name === name ? change(s) : s));
  }
}
