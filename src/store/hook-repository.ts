import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';
import type { HookProvider } from '../hooks/signature.js';

/** A CI webhook as users see it: never the secret. */
export interface Hook {
  id: number;
  app: string;
  provider: HookProvider;
  branch: string;
  /** The repository its pushes are fetched from: null until given (hooks:add --repo) or the first push. */
  repoUrl: string | null;
  createdAt: string;
}

export interface HookDelivery {
  id: number;
  hookId: number;
  app: string;
  provider: HookProvider;
  deliveryId: string;
  event: string;
  commit: string | null;
  branch: string | null;
  pusher: string | null;
  /** `received`, `deploying`, `deployed vN`, `ignored: …`, `failed: …`, `refused: …`, `pong`. */
  outcome: string;
  release: number | null;
  receivedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  fetchMs: number | null;
  deployMs: number | null;
}

export interface NewDelivery {
  hookId: number;
  app: string;
  provider: HookProvider;
  deliveryId: string;
  /** Whether this delivery takes its id (false for refused ones: an unsigned request never claims an id). */
  claims: boolean;
  /** SHA-256 of the signed body: claimed once like the id (a replay with a fresh id is a duplicate too). */
  bodySha256?: string;
  event: string;
  commit?: string;
  branch?: string;
  pusher?: string;
  outcome: string;
  receivedAt: string;
  finishedAt?: string;
}

interface DeliveryRow {
  id: number;
  hook_id: number;
  app: string;
  provider: HookProvider;
  delivery_id: string;
  event: string;
  commit_sha: string | null;
  branch: string | null;
  pusher: string | null;
  outcome: string;
  release: number | null;
  received_at: string;
  started_at: string | null;
  finished_at: string | null;
  fetch_ms: number | null;
  deploy_ms: number | null;
}

interface HookRow {
  id: number;
  app: string;
  provider: HookProvider;
  branch: string;
  secret_sealed: string;
  repo_url: string | null;
  created_at: string;
}

const toHook = (r: HookRow): Hook => ({
  id: r.id,
  app: r.app,
  provider: r.provider,
  branch: r.branch,
  repoUrl: r.repo_url,
  createdAt: r.created_at,
});

/** Refused deliveries kept per hook. */
const MAX_REFUSED_KEPT = 100;

/** Webhooks (secrets sealed at rest) and their deliveries. */
export class HookRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  add(input: {
    app: string;
    provider: HookProvider;
    branch: string;
    secret: string;
    now: string;
    repoUrl?: string | undefined;
  }): Hook {
    const result = this.db
      .prepare(
        'INSERT INTO hooks (app, provider, branch, secret_sealed, created_at, repo_url) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(input.app, input.provider, input.branch, this.box.seal(input.secret), input.now, input.repoUrl ?? null);
    return this.get(Number(result.lastInsertRowid))!;
  }

  /** Pins the hook's repository when it has none yet; returns the one pinned now. */
  pinRepo(id: number, url: string): string {
    this.db.prepare('UPDATE hooks SET repo_url = ? WHERE id = ? AND repo_url IS NULL').run(url, id);
    return (this.db.prepare('SELECT repo_url FROM hooks WHERE id = ?').get(id) as { repo_url: string }).repo_url;
  }

  get(id: number): Hook | undefined {
    const row = this.db.prepare('SELECT * FROM hooks WHERE id = ?').get(id) as HookRow | undefined;
    return row ? toHook(row) : undefined;
  }

  list(app: string): Hook[] {
    return (this.db.prepare('SELECT * FROM hooks WHERE app = ? ORDER BY id').all(app) as HookRow[]).map(toHook);
  }

  /** The app's hook for a provider with its secret in the clear (to verify a delivery only). */
  find(app: string, provider: HookProvider): (Hook & { secret: string }) | undefined {
    const row = this.db.prepare('SELECT * FROM hooks WHERE app = ? AND provider = ?').get(app, provider) as
      HookRow | undefined;
    return row ? { ...toHook(row), secret: this.box.open(row.secret_sealed) } : undefined;
  }

  remove(app: string, id: number): boolean {
    return this.db.prepare('DELETE FROM hooks WHERE app = ? AND id = ?').run(app, id).changes > 0;
  }

  /**
   * Records a delivery. A claiming delivery whose id its hook has seen already is not inserted as such: the
   * unique index refuses it (also when two arrive at once) and it is kept as a duplicate instead.
   */
  record(d: NewDelivery): { delivery: HookDelivery; duplicate: boolean } {
    const insert = (claims: boolean, outcome: string) =>
      Number(
        this.db
          .prepare(
            'INSERT INTO hook_deliveries (hook_id, app, provider, delivery_id, claims, event, commit_sha, branch, ' +
              'pusher, outcome, received_at, finished_at, body_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            d.hookId,
            d.app,
            d.provider,
            d.deliveryId,
            claims ? 1 : 0,
            d.event,
            d.commit ?? null,
            d.branch ?? null,
            d.pusher ?? null,
            outcome,
            d.receivedAt,
            d.finishedAt ?? null,
            d.bodySha256 ?? null,
          ).lastInsertRowid,
      );
    this.prune(d.hookId);
    try {
      return { delivery: this.delivery(insert(d.claims, d.outcome)), duplicate: false };
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
      const id = this.db.transaction(() => {
        const id = insert(false, 'ignored: duplicate');
        this.db.prepare('UPDATE hook_deliveries SET finished_at = ? WHERE id = ?').run(d.receivedAt, id);
        return id;
      })();
      return { delivery: this.delivery(id), duplicate: true };
    }
  }

  /** Refused deliveries (anyone can send those): a hook keeps its newest ones only. */
  private prune(hookId: number): void {
    this.db
      .prepare(
        "DELETE FROM hook_deliveries WHERE hook_id = ? AND outcome LIKE 'refused:%' AND id NOT IN " +
          "(SELECT id FROM hook_deliveries WHERE hook_id = ? AND outcome LIKE 'refused:%' ORDER BY id DESC LIMIT ?)",
      )
      .run(hookId, hookId, MAX_REFUSED_KEPT);
  }

  /** Sets the outcome (and timings) of a delivery being handled. */
  update(
    id: number,
    change: {
      outcome: string;
      release?: number;
      startedAt?: string;
      finishedAt?: string;
      fetchMs?: number;
      deployMs?: number;
    },
  ): void {
    this.db
      .prepare(
        // A failed delivery gives its claim back: the same push may be redelivered once the cause is fixed.
        'UPDATE hook_deliveries SET outcome = ?, release = COALESCE(?, release), ' +
          "claims = CASE WHEN ? LIKE 'failed:%' THEN 0 ELSE claims END, " +
          'started_at = COALESCE(?, started_at), finished_at = COALESCE(?, finished_at), ' +
          'fetch_ms = COALESCE(?, fetch_ms), deploy_ms = COALESCE(?, deploy_ms) WHERE id = ?',
      )
      .run(
        change.outcome.slice(0, 1000),
        change.release ?? null,
        change.outcome,
        change.startedAt ?? null,
        change.finishedAt ?? null,
        change.fetchMs ?? null,
        change.deployMs ?? null,
        id,
      );
  }

  delivery(id: number): HookDelivery {
    return toDelivery(this.db.prepare('SELECT * FROM hook_deliveries WHERE id = ?').get(id) as DeliveryRow);
  }

  deliveries(app: string, limit = 50): HookDelivery[] {
    return (
      this.db
        .prepare('SELECT * FROM hook_deliveries WHERE app = ? ORDER BY id DESC LIMIT ?')
        .all(app, limit) as DeliveryRow[]
    ).map(toDelivery);
  }

  /** Deliveries a stopped server left unfinished (they are marked failed at start-up). */
  unfinished(): HookDelivery[] {
    return (
      this.db.prepare('SELECT * FROM hook_deliveries WHERE finished_at IS NULL ORDER BY id').all() as DeliveryRow[]
    ).map(toDelivery);
  }
}

function toDelivery(r: DeliveryRow): HookDelivery {
  return {
    id: r.id,
    hookId: r.hook_id,
    app: r.app,
    provider: r.provider,
    deliveryId: r.delivery_id,
    event: r.event,
    commit: r.commit_sha,
    branch: r.branch,
    pusher: r.pusher,
    outcome: r.outcome,
    release: r.release,
    receivedAt: r.received_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    fetchMs: r.fetch_ms,
    deployMs: r.deploy_ms,
  };
}
