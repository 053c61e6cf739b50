import { mkdir, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SlipwayError, toSlipwayError } from '../core/errors.js';
import { progressRenderer } from '../cli/reporter.js';
import type { Slipway } from '../slipway.js';
import { git } from './git-repos.js';
import { parseRefUpdates, planPush } from './ref-updates.js';
import type { BuildFollowers } from './build-follow.js';
import type { HookReply, HookRequest, PushRegistration } from './push-gate.js';

interface PushLock {
  pusher: string;
  commit: string;
  since: number;
  build?: string;
}

/**
 * A push to the deploy branch: `git archive` of the pushed commit (read from the quarantine the hook names),
 * then the same build and rollout as `deploy DIR`, streamed back line by line. One push per app at a time
 * (the lock is held from the archive to the end of the rollout, in memory: a server that dies holds none).
 * The work never depends on the pusher staying connected: a client that leaves only stops reading.
 */
export class PushDeployer {
  private readonly locks = new Map<string, PushLock>();

  constructor(
    private readonly s: Slipway,
    private readonly followers: BuildFollowers,
  ) {}

  async handle(reg: PushRegistration, request: HookRequest, reply: HookReply): Promise<void> {
    reply.line(`Slipway: push to ${reg.app} received (by ${reg.pusher})`);
    const app = this.s.apps.get(reg.app);
    const branch = app.settings.git?.branch ?? 'main';
    const env = this.objectEnv(reg, request);
    const updates = parseRefUpdates(request.updates);
    const only = updates.length === 1 ? updates[0]! : undefined;
    const fastForward = only ? await isAncestor(env, only.old, only.new) : true;
    const plan = planPush(updates, branch, app.name, fastForward);
    if (plan.kind === 'refuse') {
      reply.line(`error: ${plan.message}`);
      reply.line(`hint: ${plan.hint}`);
      return reply.exit(1);
    }
    const short = plan.commit.slice(0, 7);
    const held = this.locks.get(app.name);
    if (held) {
      const secs = Math.round((Date.now() - held.since) / 1000);
      reply.line(
        `error: ${app.name} is being deployed by a push of ${held.pusher} ` +
          `(commit ${held.commit.slice(0, 7)}, ${secs} s ago)`,
      );
      reply.line(
        held.build
          ? `hint: follow it with \`slipway builds:attach -a ${app.name} ${held.build}\`, then push again`
          : 'hint: wait for it to finish, then push again',
      );
      return reply.exit(1);
    }
    const lock: PushLock = { pusher: reg.pusher, commit: plan.commit, since: Date.now() };
    this.locks.set(app.name, lock);
    const tar = join(this.s.paths.tmp, `push-${randomBytes(6).toString('hex')}.tar`);
    let buildId: string | undefined;
    const render = progressRenderer({ out: reply.line, err: reply.line });
    try {
      if (plan.force) reply.line(`Slipway: force push: ${branch} now is ${short}; it deploys like any push`);
      if (plan.previous === null && updates[0]) reply.line(`Slipway: first push of ${branch}`);
      reply.line(`Slipway: building ${short} (${branch}) of ${app.name}`);
      await mkdir(this.s.paths.tmp, { recursive: true });
      // The commit is a validated object id, never an option; the quarantine holds its objects until we answer.
      await git(['archive', '--format=tar', `--output=${tar}`, plan.commit], env);
      const outcome = await this.s.apps.deploySource(app.name, tar, {
        description: `git push ${short} (${branch})`,
        actor: reg.pusher,
        build: { source: { commit: plan.commit, branch }, startedBy: reg.pusher },
        ...(this.s.env.upload ? { limits: this.s.env.upload } : {}),
        onBuildRecord: (id) => {
          buildId = id;
          lock.build = id;
          this.followers.begin(app.name, id);
          reply.line(`Slipway: build ${id} (follow it elsewhere: slipway builds:attach -a ${app.name} ${id})`);
        },
        emit: (event) => {
          if (buildId) this.followers.event(buildId, event);
          render(event);
        },
      });
      if (buildId) this.followers.finish(buildId, { ok: true, result: outcome });
      reply.line(`Slipway: ${app.name} v${outcome.release} is live (commit ${short}, pushed by ${reg.pusher})`);
      reply.exit(0);
    } catch (err) {
      const e = toSlipwayError(err);
      if (buildId) this.followers.finish(buildId, { ok: false, error: e });
      reply.line(`error: ${e.message}`);
      if (e.hint) reply.line(`hint: ${e.hint}`);
      reply.line('Slipway: the push was rejected; nothing changed');
      reply.exit(1);
    } finally {
      this.locks.delete(app.name);
      await rm(tar, { force: true });
    }
  }

  /**
   * Where git keeps the pushed objects during pre-receive (its quarantine), as the hook reported it; only
   * directories inside this app's repository are used.
   */
  private objectEnv(reg: PushRegistration, request: HookRequest): Record<string, string> {
    const objects = resolve(reg.repo, 'objects');
    const inside = (p: string) => p !== '' && (resolve(p) === objects || resolve(p).startsWith(objects + sep));
    const env: Record<string, string> = { GIT_DIR: reg.repo };
    if (request.objectDirectory) {
      if (!inside(request.objectDirectory) || (request.quarantine && !inside(request.quarantine)))
        throw new SlipwayError('INVALID_INPUT', 'the hook named objects outside the repository');
      env['GIT_OBJECT_DIRECTORY'] = resolve(request.objectDirectory);
      env['GIT_ALTERNATE_OBJECT_DIRECTORIES'] = objects;
      if (request.quarantine) env['GIT_QUARANTINE_PATH'] = resolve(request.quarantine);
    }
    return env;
  }
}

/** `git merge-base --is-ancestor OLD NEW` (both validated object ids); a new branch (zeros) counts as one. */
async function isAncestor(env: Record<string, string>, old: string, next: string): Promise<boolean> {
  if (/^0+$/.test(old) || /^0+$/.test(next)) return true;
  try {
    await git(['merge-base', '--is-ancestor', old, next], env);
    return true;
  } catch {
    return false;
  }
}
