import type { Store } from '../store/store.js';
import type { MaintenanceState } from '../store/maintenance-repository.js';
import {
  DEFAULT_RETRY_AFTER_SEC,
  MAX_RETRY_AFTER_SEC,
  maintenancePage,
  validateRetryAfter,
  type RouteMaintenance,
} from '../router/maintenance.js';

/** What `maintenance -a APP` shows. */
export interface MaintenanceView {
  app: string;
  enabled: boolean;
  retryAfterSec: number;
  /** Whose page the 503 shows. */
  page: 'app' | 'slipway';
  changedAt?: string;
  changedBy?: string;
  /** A stored value that no longer reads (the app then serves normally until maintenance is set again). */
  problem?: string;
}

export interface MaintenanceChange {
  /** The app's own page (HTML); `null` goes back to Slipway's; undefined keeps the stored one. */
  page?: string | null;
  retryAfterSec?: number;
}

export interface MaintenanceServiceDeps {
  store: Store;
  /** Makes the router match the store (on/off is a runtime map change; a new page is a reload). */
  syncRouter: () => Promise<void>;
  now?: () => Date;
}

/**
 * Maintenance mode: the router answers every request of the app with a 503 (`Retry-After`, the app's
 * page or Slipway's) while its containers keep running and stay in the backend. The state is in the
 * store and rendered into HAProxy's files, so a reload or a restart of HAProxy keeps it.
 */
export class MaintenanceService {
  constructor(private readonly deps: MaintenanceServiceDeps) {}

  status(app: string): MaintenanceView {
    const stored = this.deps.store.maintenance.find(this.deps.store.apps.get(app).name);
    if (!stored.state)
      return {
        app,
        enabled: false,
        retryAfterSec: DEFAULT_RETRY_AFTER_SEC,
        page: 'slipway',
        ...('problem' in stored && stored.problem ? { problem: stored.problem } : {}),
      };
    const { state } = stored;
    return {
      app,
      enabled: state.enabled,
      retryAfterSec: state.retryAfterSec,
      page: state.page === undefined ? 'slipway' : 'app',
      changedAt: state.changedAt,
      changedBy: state.changedBy,
    };
  }

  on(app: string, change: MaintenanceChange, actor: string): Promise<MaintenanceView> {
    return this.set(app, true, change, actor);
  }

  off(app: string, actor: string): Promise<MaintenanceView> {
    return this.set(app, false, {}, actor);
  }

  private async set(app: string, enabled: boolean, change: MaintenanceChange, actor: string): Promise<MaintenanceView> {
    const { store } = this.deps;
    const name = store.apps.get(app).name;
    // Checked before anything is stored: a page HAProxy could not serve is refused here.
    if (typeof change.page === 'string') maintenancePage(change.page);
    if (change.retryAfterSec !== undefined) validateRetryAfter(change.retryAfterSec);
    const before = store.maintenance.find(name).state;
    const page = change.page === undefined ? before?.page : (change.page ?? undefined);
    const next: MaintenanceState = {
      enabled,
      retryAfterSec: change.retryAfterSec ?? before?.retryAfterSec ?? DEFAULT_RETRY_AFTER_SEC,
      ...(page === undefined ? {} : { page }),
      changedAt: (this.deps.now?.() ?? new Date()).toISOString(),
      changedBy: actor,
    };
    store.maintenance.put(name, next);
    try {
      await this.deps.syncRouter();
    } catch (err) {
      store.maintenance.put(name, before);
      await this.deps.syncRouter().catch(() => undefined);
      throw err;
    }
    return this.status(name);
  }
}

/** The router's view of an app's maintenance state (undefined: never set, or unreadable). */
export function routeMaintenance(store: Store, app: string): RouteMaintenance | undefined {
  const { state } = store.maintenance.find(app);
  if (!state) return undefined;
  let page: RouteMaintenance['page'];
  try {
    page = state.page === undefined ? undefined : maintenancePage(state.page);
  } catch {
    page = undefined; // a page stored by an older version that HAProxy cannot serve: Slipway's page instead
  }
  // Clamped, never refused: one odd stored value must not take the app out of the router.
  const retryAfterSec = Math.min(Math.max(0, Math.round(state.retryAfterSec)), MAX_RETRY_AFTER_SEC);
  return { enabled: state.enabled, retryAfterSec, ...(page ? { page } : {}) };
}
