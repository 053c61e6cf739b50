import { z } from 'zod';
import type { Db } from './database.js';

/** An app's maintenance mode as stored (apps.maintenance_json). */
export interface MaintenanceState {
  enabled: boolean;
  retryAfterSec: number;
  /** The app's own page (HTML, at most 12 KiB); Slipway's page when absent. Kept when maintenance goes off. */
  page?: string;
  /** When it was last turned on or off, and by whom. */
  changedAt: string;
  changedBy: string;
}

const stateSchema = z
  .object({
    enabled: z.boolean(),
    retryAfterSec: z.number().int().min(0),
    page: z.string().optional(),
    changedAt: z.string(),
    changedBy: z.string(),
  })
  .strict();

/** What the store holds: the state, none (never turned on), or a value that no longer reads (reported, not fatal). */
export type StoredMaintenance = { state: MaintenanceState } | { state: undefined; problem?: string };

export class MaintenanceRepository {
  constructor(private readonly db: Db) {}

  find(app: string): StoredMaintenance {
    const row = this.db.prepare('SELECT maintenance_json FROM apps WHERE name = ?').get(app) as
      { maintenance_json: string | null } | undefined;
    if (!row?.maintenance_json) return { state: undefined };
    try {
      const parsed = stateSchema.safeParse(JSON.parse(row.maintenance_json));
      if (parsed.success) return { state: withoutUndefined(parsed.data) };
      return { state: undefined, problem: `stored maintenance state: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
    } catch {
      return { state: undefined, problem: 'stored maintenance state is not JSON' };
    }
  }

  /** Stores the state; `undefined` forgets it (as if maintenance was never set). */
  put(app: string, state: MaintenanceState | undefined): void {
    this.db
      .prepare('UPDATE apps SET maintenance_json = ? WHERE name = ?')
      .run(state === undefined ? null : JSON.stringify(state), app);
  }
}

function withoutUndefined(value: z.infer<typeof stateSchema>): MaintenanceState {
  const { page, ...rest } = value;
  return page === undefined ? rest : { ...rest, page };
}
