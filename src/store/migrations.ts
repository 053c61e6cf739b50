/** Schema migrations, applied in order; never edit a shipped one, append a new one. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE apps (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    current_release INTEGER,
    config_enc TEXT
  );
  CREATE TABLE builds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    image_id TEXT NOT NULL,
    image_ref TEXT NOT NULL,
    source_json TEXT NOT NULL,
    procfile_json TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE releases (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    build_id INTEGER NOT NULL REFERENCES builds(id),
    config_enc TEXT NOT NULL,
    config_keys_json TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (app, version)
  );
  CREATE TABLE formation (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    process_type TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (app, process_type)
  );
  CREATE TABLE deployments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    release INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    error_json TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE TABLE deployment_steps (
    deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    step_json TEXT NOT NULL,
    status TEXT NOT NULL,
    result_json TEXT,
    started_at TEXT,
    finished_at TEXT,
    PRIMARY KEY (deployment_id, seq)
  );
  CREATE TABLE deployment_events (
    deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    event_json TEXT NOT NULL,
    PRIMARY KEY (deployment_id, seq)
  );
  CREATE TABLE routes (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    server_name TEXT NOT NULL,
    container_id TEXT NOT NULL,
    port INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (app, server_name)
  );
  `,
  // 2: release lifecycle — who made a release and how long it took, custom domains, TLS certificates,
  // logs kept across deploys, blue-green warm sets.
  `
  ALTER TABLE releases ADD COLUMN created_by TEXT NOT NULL DEFAULT 'slipway';
  ALTER TABLE releases ADD COLUMN rollback_of INTEGER;
  ALTER TABLE releases ADD COLUMN deploy_ms INTEGER;
  CREATE TABLE domains (
    host TEXT PRIMARY KEY,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE certificates (
    app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
    cert_pem_enc TEXT NOT NULL,
    key_pem_enc TEXT NOT NULL,
    hosts_json TEXT NOT NULL,
    not_after TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE log_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    time TEXT NOT NULL,
    dyno TEXT NOT NULL,
    release TEXT NOT NULL,
    stream TEXT NOT NULL,
    text TEXT NOT NULL,
    container_id TEXT NOT NULL
  );
  CREATE INDEX log_lines_app_time ON log_lines (app, time);
  CREATE TABLE warm_sets (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    release INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (app, release)
  );
  `,
  // 3: build records (issue 5) — every source build with its source (git commit/branch/dirty or a
  // content hash), build file digest, steps with timings and cache hits, who started it, and its log.
  `
  CREATE TABLE build_records (
    id TEXT PRIMARY KEY,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    build_id INTEGER,
    status TEXT NOT NULL,
    strategy TEXT,
    source_json TEXT NOT NULL,
    digest TEXT,
    image_id TEXT,
    image_ref TEXT,
    steps_json TEXT NOT NULL DEFAULT '[]',
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    error_json TEXT,
    log_text TEXT NOT NULL DEFAULT '',
    pruned_at TEXT
  );
  CREATE INDEX build_records_app ON build_records (app, started_at);
  CREATE INDEX build_records_build ON build_records (build_id);
  `,
  // 4: a server's HAProxy weight (null = default), so a reload keeps blue-green staged servers at 0.
  `
  ALTER TABLE routes ADD COLUMN weight INTEGER;
  `,
  // 5 (issue 8, apps stay up): the address HAProxy reaches a server at (a container's own bridge IP;
  // null = 127.0.0.1, a published port of a route stored before), and each dyno's crash history for
  // restarts with backoff and the crash-loop state.
  `
  ALTER TABLE routes ADD COLUMN address TEXT;
  CREATE TABLE dyno_crashes (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    dyno TEXT NOT NULL,
    release INTEGER NOT NULL,
    restarts INTEGER NOT NULL DEFAULT 0,
    crashes_json TEXT NOT NULL DEFAULT '[]',
    last_exit_code INTEGER,
    last_container TEXT,
    next_restart_at INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (app, dyno)
  );
  `,
  // 6 (issue 9, processes and jobs): process types stopped with `ps:stop` (their formation count is kept),
  // scheduled one-off jobs (`cron:add`) and each job's run history (exit code, output lines kept).
  `
  CREATE TABLE stopped_processes (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    process_type TEXT NOT NULL,
    stopped_at TEXT NOT NULL,
    stopped_by TEXT NOT NULL,
    PRIMARY KEY (app, process_type)
  );
  CREATE TABLE cron_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    schedule TEXT NOT NULL,
    command_json TEXT NOT NULL,
    next_run_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );
  CREATE TABLE cron_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL REFERENCES cron_jobs(id) ON DELETE CASCADE,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    status TEXT NOT NULL,
    due_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    exit_code INTEGER,
    release INTEGER,
    dyno TEXT,
    container_id TEXT,
    missed INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    output_json TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX cron_runs_job ON cron_runs (job_id, id);
  `,
  // 7 (issue 9, everyday commands): maintenance mode per app (state and an optional page of the app's,
  // rendered into HAProxy's files), router access logs kept per app (capped), and app renames (the
  // relabelling restart is resumed after a crash).
  `
  ALTER TABLE apps ADD COLUMN maintenance_json TEXT;
  CREATE TABLE router_log_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    fields TEXT NOT NULL
  );
  CREATE INDEX router_log_lines_app ON router_log_lines (app, id);
  CREATE TABLE app_renames (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    former_name TEXT NOT NULL,
    deployment_id INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    error_json TEXT
  );
  `,
  // 8 (issue 9, remembered build options): the extra CA certificate (PEM) an app's builds use, kept out of
  // the settings JSON (a CA bundle is ~220 KB); settings.build.caCert holds its fingerprint.
  `
  CREATE TABLE app_build_ca (
    app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
    pem TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // 9 (issue 11, registry images): credentials for the registries `deploy --image` pulls from, the password
  // sealed with the home's key.
  `
  CREATE TABLE registry_logins (
    server TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    password_sealed TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // 10 (issue 11, users and tokens): users with a role, their API tokens (only a SHA-256 of each is kept),
  // the apps members were given, and the audit log of mutating and refused requests (never a secret).
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    app TEXT REFERENCES apps(name) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT
  );
  CREATE TABLE app_access (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (app, user_id)
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    token TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    app TEXT,
    status INTEGER NOT NULL,
    code TEXT,
    source TEXT
  );
  CREATE INDEX audit_app ON audit (app, id);
  `,
  // 11 (issue 11, git push over SSH): users' SSH public keys, known by their SHA256 fingerprint.
  `
  CREATE TABLE ssh_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    UNIQUE (user_id, name)
  );
  `,
  // 12 (issue 11, CI webhooks): hooks (one per app and provider, the secret sealed with the home's key: HMAC
  // checks need it in the clear), every delivery and its outcome (a delivery id claims its hook once: the
  // unique index makes a redelivery, even a concurrent one, a duplicate), and the credentials pushed commits are
  // fetched with (the password sealed).
  `
  CREATE TABLE hooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    branch TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (app, provider)
  );
  CREATE TABLE hook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hook_id INTEGER NOT NULL REFERENCES hooks(id) ON DELETE CASCADE,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    claims INTEGER NOT NULL,
    event TEXT NOT NULL,
    commit_sha TEXT,
    branch TEXT,
    pusher TEXT,
    outcome TEXT NOT NULL,
    detail TEXT,
    release INTEGER,
    received_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    fetch_ms INTEGER,
    deploy_ms INTEGER
  );
  CREATE UNIQUE INDEX hook_deliveries_claim ON hook_deliveries (hook_id, delivery_id) WHERE claims = 1;
  CREATE INDEX hook_deliveries_app ON hook_deliveries (app, id);
  CREATE TABLE git_credentials (
    app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
    username TEXT NOT NULL,
    password_sealed TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // 13 (issue 11, webhook review): a hook's repository (the first signed push's clone URL, or hooks:add --repo):
  // deliveries naming another are refused, so the git credentials go nowhere else; and a claiming delivery's
  // body hash, claimed once like its id, so a captured delivery replayed with a new id deploys nothing.
  `
  ALTER TABLE hooks ADD COLUMN repo_url TEXT;
  ALTER TABLE hook_deliveries ADD COLUMN body_sha256 TEXT;
  CREATE UNIQUE INDEX hook_deliveries_body ON hook_deliveries (hook_id, body_sha256)
    WHERE claims = 1 AND body_sha256 IS NOT NULL;
  `,
  // 14 (issue 12, scale): lookups on tables that grow with every deploy scanned them whole. The per-app deploy
  // lock and the supervisor (running deployments, per app, every pass) searched every deployment ever made
  // (4 ms each at 100k: 2 s of event loop per pass over 500 apps); image retention scanned every build.
  `
  CREATE INDEX deployments_status ON deployments (status, app);
  CREATE INDEX deployments_app ON deployments (app, id);
  CREATE INDEX builds_app ON builds (app, id);
  `,
];
