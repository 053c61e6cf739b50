import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SlipwayError, toSlipwayError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import type { Hook, HookDelivery } from '../store/hook-repository.js';
import type { SourceBuildOptions } from '../image-build/build-service.js';
import type { DeployOutcome } from '../deploy/deploy-service.js';
import type { ArchiveLimits } from '../image-build/archive-check.js';
import { isHookProvider, verifySignature, header, type HookHeaders, type HookProvider } from './signature.js';
import { classifyPush, deliveryIdOf, eventOf, isSafeBranch, parseHookRequest, PayloadError } from './payload.js';
import { archiveCommit, checkCloneUrl, fetchCommit, type GitCredentials } from './git-fetch.js';

/** Longest a delivery waits for another deploy of its app (the deploy lock) before it fails naming the holder. */
export const DEFAULT_LOCK_WAIT_MS = 10 * 60_000;
/** The largest delivery body read (before any parsing). */
export const DEFAULT_HOOK_BODY_LIMIT = 1024 * 1024;

export interface HookServiceDeps {
  store: Store;
  /** `s.apps.deploySource`: the same build and rollout as `deploy DIR`. */
  deploySource(app: string, tarFile: string, opts: SourceBuildOptions): Promise<DeployOutcome>;
  /** Where the per-app bare cache repositories live. */
  cacheDir: string;
  tmpDir: string;
  limits?: ArchiveLimits;
  lockWaitMs?: number;
  fetchTimeoutMs?: number;
  /** Writes the pushed commit's tree as a tar; default: fetch into the app's cache repository, then git archive. */
  fetchSource?: (delivery: HookDelivery, cloneUrl: string, tarFile: string, signal: AbortSignal) => Promise<void>;
  log?: (message: string) => void;
}

/** What the receiving route answers. */
export interface HookAnswer {
  status: number;
  body: Record<string, unknown> | string;
}

const NOT_HERE = (): SlipwayError =>
  new SlipwayError('NOT_FOUND', 'no webhook at this URL', {
    hint: 'the URL is the one `slipway hooks:add` printed (/hooks/PROVIDER/APP)',
  });

/**
 * CI webhooks: hooks with a secret shown once, deliveries checked (signature, then payload), recorded and, for
 * a push to the hook's branch, fetched, built and deployed in the background, one delivery at a time per app.
 * A delivery that finds another deploy of its app running waits for it (up to lockWaitMs), then fails naming it.
 */
export class HookService {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly deps: HookServiceDeps) {}

  add(app: string, provider: string, branch: string, repo?: string): { hook: Hook; secret: string } {
    const repoUrl = repo === undefined ? undefined : checkCloneUrl(repo);
    if (!isHookProvider(provider))
      throw new SlipwayError('INVALID_INPUT', `unknown provider ${JSON.stringify(provider.slice(0, 40))}`, {
        hint: 'use --provider github, gitlab or gitea',
      });
    if (!isSafeBranch(branch))
      throw new SlipwayError(
        'INVALID_INPUT',
        `${JSON.stringify(branch.slice(0, 60))} is not a branch name Slipway deploys`,
        {
          hint: 'e.g. --branch main (letters, digits, . _ - /)',
        },
      );
    if (this.deps.store.hooks.find(app, provider))
      throw new SlipwayError('APP_EXISTS', `app ${app} has a ${provider} webhook already`, {
        hint: `remove it first: slipway hooks -a ${app}, then slipway hooks:remove -a ${app} ID`,
      });
    const secret = randomBytes(32).toString('hex');
    const now = new Date().toISOString();
    const hook = this.deps.store.hooks.add({ app, provider, branch, secret, now, repoUrl });
    return { hook, secret };
  }

  list(app: string): Hook[] {
    return this.deps.store.hooks.list(app);
  }

  remove(app: string, id: number): void {
    if (!this.deps.store.hooks.remove(app, id))
      throw new SlipwayError('NOT_FOUND', `app ${app} has no webhook ${id}`, { hint: `see slipway hooks -a ${app}` });
  }

  deliveries(app: string, limit?: number): HookDelivery[] {
    return this.deps.store.hooks.deliveries(app, limit);
  }

  setCredentials(app: string, creds: GitCredentials): void {
    this.deps.store.gitCredentials.put(app, creds, new Date().toISOString());
  }

  /** The user name kept for the app's fetches (never the password). */
  credentials(app: string): { username: string; updatedAt: string } | undefined {
    return this.deps.store.gitCredentials.info(app);
  }

  unsetCredentials(app: string): void {
    if (!this.deps.store.gitCredentials.remove(app))
      throw new SlipwayError('NOT_FOUND', `app ${app} has no git credentials`);
  }

  /** Deliveries a stopped server left half done are failed (their commit can be pushed or redelivered again). */
  recoverInterrupted(): number {
    const left = this.deps.store.hooks.unfinished();
    const now = new Date().toISOString();
    for (const d of left)
      this.deps.store.hooks.update(d.id, { outcome: 'failed: interrupted (the server stopped)', finishedAt: now });
    return left.length;
  }

  /**
   * One delivery (its raw body, already read within the size limit). Nothing is parsed before the signature
   * is checked; an unknown app and an app without a hook of that provider get the same 404.
   */
  receive(providerRaw: string, appRaw: string, headers: HookHeaders, body: Buffer): HookAnswer {
    if (!isHookProvider(providerRaw)) throw NOT_HERE();
    const provider: HookProvider = providerRaw;
    const hook = this.deps.store.hooks.find(appRaw.slice(0, 100), provider);
    if (!hook) throw NOT_HERE();
    const receivedAt = new Date().toISOString();
    const base = { hookId: hook.id, app: hook.app, provider, receivedAt };
    if (!verifySignature(provider, headers, body, hook.secret)) {
      const missing = !header(
        headers,
        provider === 'github' ? 'x-hub-signature-256' : provider === 'gitlab' ? 'x-gitlab-token' : 'x-gitea-signature',
      );
      // Kept so users can see what was refused (never the body); it claims no delivery id.
      this.deps.store.hooks.record({
        ...base,
        deliveryId: deliveryIdOf(provider, headers, body),
        claims: false,
        event: eventOf(provider, headers) || '(none)',
        outcome: missing ? 'refused: no signature' : 'refused: bad signature',
        finishedAt: receivedAt,
      });
      throw new SlipwayError('UNAUTHORIZED', 'the webhook signature does not match', {
        hint: 'the secret is the one `slipway hooks:add` printed; add the hook again for a new one',
      });
    }
    let request;
    try {
      request = parseHookRequest(provider, headers, body);
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
      this.deps.store.hooks.record({
        ...base,
        deliveryId: deliveryIdOf(provider, headers, body),
        claims: false,
        event: eventOf(provider, headers),
        outcome: `failed: unreadable push: ${err.message}`,
        finishedAt: receivedAt,
      });
      throw new SlipwayError('INVALID_INPUT', `the push payload is not readable: ${err.message}`);
    }
    const done = { ...base, deliveryId: request.deliveryId, event: request.event, finishedAt: receivedAt };
    if (request.kind === 'ping') {
      this.deps.store.hooks.record({ ...done, claims: false, outcome: 'pong' });
      return { status: 200, body: 'pong\n' };
    }
    if (request.kind === 'other') {
      const { delivery } = this.deps.store.hooks.record({
        ...done,
        claims: true,
        outcome: `ignored: event ${request.event}`,
      });
      return { status: 200, body: { delivery: delivery.id, outcome: delivery.outcome } };
    }
    const { push } = request;
    const decision = classifyPush(push, hook.branch);
    const facts = {
      commit: push.after,
      pusher: push.pusher,
      ...(decision.branch ? { branch: decision.branch } : {}),
    };
    if (decision.kind === 'ignored') {
      const { delivery } = this.deps.store.hooks.record({
        ...done,
        ...facts,
        claims: true,
        outcome: `ignored: ${decision.reason}`,
      });
      return { status: 200, body: { delivery: delivery.id, outcome: delivery.outcome } };
    }
    // The hook's repository: pinned by the first signed push (or hooks:add --repo); the git credentials are
    // never sent to another host, whatever a payload names.
    const cloneUrl = checkCloneUrl(push.cloneUrl);
    if (hook.repoUrl && hook.repoUrl !== cloneUrl) {
      const { delivery } = this.deps.store.hooks.record({
        ...done,
        ...facts,
        claims: false,
        outcome: `refused: the clone URL ${cloneUrl.slice(0, 200)} is not this hook's repository ${hook.repoUrl}`,
      });
      return { status: 403, body: { delivery: delivery.id, outcome: delivery.outcome } };
    }
    const { delivery, duplicate } = this.deps.store.hooks.record({
      ...base,
      deliveryId: request.deliveryId,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      event: request.event,
      ...facts,
      claims: true,
      outcome: 'queued',
    });
    if (duplicate) return { status: 200, body: { delivery: delivery.id, outcome: delivery.outcome } };
    if (!hook.repoUrl) this.deps.store.hooks.pinRepo(hook.id, cloneUrl);
    this.enqueue(hook.app, () => this.deploy(delivery, push.cloneUrl));
    return { status: 202, body: { delivery: delivery.id, outcome: 'queued', commit: push.after } };
  }

  /** Stops taking work; running deliveries are aborted (and marked failed at the next start if they do not end). */
  async close(timeoutMs = 10_000): Promise<void> {
    this.stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.queues.values()]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private enqueue(app: string, job: () => Promise<void>): void {
    const next = (this.queues.get(app) ?? Promise.resolve()).then(job, job);
    this.queues.set(app, next);
    void next.finally(() => {
      if (this.queues.get(app) === next) this.queues.delete(app);
    });
  }

  private async deploy(delivery: HookDelivery, cloneUrl: string): Promise<void> {
    const { store } = this.deps;
    const signal = this.stopping.signal;
    const started = Date.now();
    store.hooks.update(delivery.id, { outcome: 'fetching', startedAt: new Date(started).toISOString() });
    const work = mkdtempSync(join(this.deps.tmpDir, 'hook-'));
    let fetchMs: number | undefined;
    try {
      const commit = delivery.commit!;
      const branch = delivery.branch!;
      const tar = join(work, 'source.tar');
      await (this.deps.fetchSource ?? ((d, url, file, sig) => this.fetchSource(d, url, file, sig)))(
        delivery,
        cloneUrl,
        tar,
        signal,
      );
      fetchMs = Date.now() - started;
      store.hooks.update(delivery.id, { outcome: 'waiting for the deploy lock', fetchMs });
      await this.waitForLock(delivery.app, signal);
      store.hooks.update(delivery.id, { outcome: 'deploying' });
      const startedBy = `hook:${delivery.provider}${delivery.pusher ? ` (${delivery.pusher})` : ''}`;
      const deployStarted = Date.now();
      const outcome = await this.deps.deploySource(delivery.app, tar, {
        description: `commit ${commit.slice(0, 12)} of ${branch} (${delivery.provider} webhook)`,
        emit: () => undefined,
        signal,
        actor: startedBy,
        build: { source: { commit, branch, dirty: false }, startedBy },
        ...(this.deps.limits ? { limits: this.deps.limits } : {}),
      });
      store.hooks.update(delivery.id, {
        outcome: `deployed v${outcome.release}`,
        release: outcome.release,
        finishedAt: new Date().toISOString(),
        deployMs: Date.now() - deployStarted,
      });
    } catch (err) {
      const e = toSlipwayError(err);
      this.deps.log?.(`webhook delivery ${delivery.id} of ${delivery.app} failed: ${e.message}`);
      store.hooks.update(delivery.id, {
        outcome: `failed: ${e.message}`,
        finishedAt: new Date().toISOString(),
        ...(fetchMs === undefined ? { fetchMs: Date.now() - started } : {}),
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** The pushed commit from the clone URL into the app's bare cache repository, then its tree as a tar. */
  private async fetchSource(delivery: HookDelivery, url: string, tarFile: string, signal: AbortSignal): Promise<void> {
    const repo = join(this.deps.cacheDir, `${delivery.app}.git`);
    const credentials = this.deps.store.gitCredentials.get(delivery.app);
    await fetchCommit({
      repo,
      url,
      branch: delivery.branch!,
      commit: delivery.commit!,
      ...(credentials ? { credentials } : {}),
      ...(this.deps.fetchTimeoutMs ? { timeoutMs: this.deps.fetchTimeoutMs } : {}),
      signal,
    });
    await archiveCommit(repo, delivery.commit!, tarFile, signal);
  }

  /** Waits (bounded) until no deployment of the app runs; then fails with the holder in the message. */
  private async waitForLock(app: string, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + (this.deps.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    for (;;) {
      try {
        this.deps.store.deployments.assertIdle(app);
        return;
      } catch (err) {
        if (Date.now() >= deadline || signal.aborted) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
