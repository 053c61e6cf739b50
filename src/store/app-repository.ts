import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';
import { SlipwayError } from '../core/errors.js';
import { assertValidSettings } from '../config/app-settings.js';
import { DEFAULT_SETTINGS, type App, type AppSettings, type Formation } from '../core/types.js';

interface AppRow {
  name: string;
  created_at: string;
  settings_json: string;
  current_release: number | null;
  config_enc: string | null;
}

function toApp(row: AppRow): App {
  const stored = JSON.parse(row.settings_json) as Partial<AppSettings>;
  return {
    name: row.name,
    createdAt: row.created_at,
    settings: {
      ...DEFAULT_SETTINGS,
      ...stored,
      healthcheck: { ...DEFAULT_SETTINGS.healthcheck, ...stored.healthcheck },
      logs: { ...DEFAULT_SETTINGS.logs, ...stored.logs },
      resources: { ...stored.resources },
      restart: { ...stored.restart },
    },
    currentRelease: row.current_release,
  };
}

export class AppRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  list(): App[] {
    return (this.db.prepare('SELECT * FROM apps ORDER BY name').all() as AppRow[]).map(toApp);
  }

  find(name: string): App | undefined {
    const row = this.db.prepare('SELECT * FROM apps WHERE name = ?').get(name) as AppRow | undefined;
    return row ? toApp(row) : undefined;
  }

  get(name: string): App {
    const app = this.find(name);
    if (!app) {
      throw new SlipwayError('APP_NOT_FOUND', `app "${name}" does not exist`, {
        hint: 'list apps with `slipway apps`, or create it with `slipway apps:create ' + name + '`',
      });
    }
    return app;
  }

  create(name: string, now: string): App {
    if (this.find(name)) {
      throw new SlipwayError('APP_EXISTS', `app "${name}" already exists`, {
        hint: 'choose another name, or deploy to it with `slipway deploy -a ' + name + '`',
      });
    }
    this.db
      .prepare(
        'INSERT INTO apps (name, created_at, settings_json, current_release, config_enc) VALUES (?, ?, ?, NULL, ?)',
      )
      .run(name, now, JSON.stringify(DEFAULT_SETTINGS), this.box.sealJson({}));
    this.db.prepare('INSERT INTO formation (app, process_type, quantity) VALUES (?, ?, ?)').run(name, 'web', 1);
    return this.get(name);
  }

  delete(name: string): void {
    this.db.prepare('DELETE FROM apps WHERE name = ?').run(name);
  }

  /** Refuses a settings object that would not read back as valid (one bad value must never brick the server). */
  updateSettings(name: string, settings: AppSettings): void {
    assertValidSettings(settings);
    this.db.prepare('UPDATE apps SET settings_json = ? WHERE name = ?').run(JSON.stringify(settings), name);
  }

  setCurrentRelease(name: string, version: number): void {
    this.db.prepare('UPDATE apps SET current_release = ? WHERE name = ?').run(version, name);
  }

  /** The app's desired config (decrypted). Values never leave through events or logs. */
  config(name: string): Record<string, string> {
    const row = this.db.prepare('SELECT config_enc FROM apps WHERE name = ?').get(name) as
      { config_enc: string | null } | undefined;
    if (!row?.config_enc) return {};
    return this.box.openJson<Record<string, string>>(row.config_enc);
  }

  setConfig(name: string, config: Record<string, string>): void {
    this.db.prepare('UPDATE apps SET config_enc = ? WHERE name = ?').run(this.box.sealJson(config), name);
  }

  formation(name: string): Formation {
    const rows = this.db
      .prepare('SELECT process_type, quantity FROM formation WHERE app = ? ORDER BY process_type')
      .all(name) as {
      process_type: string;
      quantity: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.process_type, r.quantity]));
  }

  setFormation(name: string, formation: Formation): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM formation WHERE app = ?').run(name);
      const insert = this.db.prepare('INSERT INTO formation (app, process_type, quantity) VALUES (?, ?, ?)');
      for (const [type, quantity] of Object.entries(formation)) insert.run(name, type, quantity);
    })();
  }
}
