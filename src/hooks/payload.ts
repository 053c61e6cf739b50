import { createHash } from 'node:crypto';
import { z } from 'zod';
import { header, type HookHeaders, type HookProvider } from './signature.js';

/** What a delivery asks for, decided from its headers and body alone (pure). */
export type HookRequest =
  | { kind: 'ping'; event: string; deliveryId: string }
  | { kind: 'other'; event: string; deliveryId: string }
  | { kind: 'push'; event: string; deliveryId: string; push: PushEvent };

export interface PushEvent {
  ref: string;
  /** The commit the ref points to after the push (40 hex, or all zeros for a delete). */
  after: string;
  cloneUrl: string;
  pusher: string;
}

/** What to do with a push to a hook that deploys `branch`. */
export type PushDecision =
  { kind: 'deploy'; branch: string; commit: string } | { kind: 'ignored'; reason: string; branch?: string };

const sha = z.string().regex(/^[0-9a-f]{40}$/, 'a 40-hex commit id');
const text = z.string().max(500);
const url = z.string().min(1).max(2000);

const githubPush = z.object({
  ref: text,
  after: sha,
  repository: z.object({ clone_url: url }),
  pusher: z.object({ name: text.optional(), email: text.optional() }).optional(),
  sender: z.object({ login: text.optional() }).optional(),
});

const gitlabPush = z.object({
  ref: text,
  after: sha,
  user_username: text.optional(),
  user_name: text.optional(),
  project: z.object({ git_http_url: url.optional() }).optional(),
  repository: z.object({ git_http_url: url.optional() }).optional(),
});

const giteaPush = z.object({
  ref: text,
  after: sha,
  repository: z.object({ clone_url: url }),
  pusher: z.object({ login: text.optional(), username: text.optional() }).optional(),
});

const EVENT_HEADER: Record<HookProvider, string> = {
  github: 'x-github-event',
  gitlab: 'x-gitlab-event',
  gitea: 'x-gitea-event',
};

const PUSH_EVENT: Record<HookProvider, string> = { github: 'push', gitlab: 'Push Hook', gitea: 'push' };
const PING_EVENT: Record<HookProvider, string[]> = { github: ['ping'], gitlab: [], gitea: ['ping'] };

/** The provider's delivery id header; a body hash when there is none (a redelivery of the same body is the same). */
export function deliveryIdOf(provider: HookProvider, headers: HookHeaders, body: Buffer): string {
  const names =
    provider === 'github'
      ? ['x-github-delivery']
      : provider === 'gitlab'
        ? ['x-gitlab-event-uuid', 'x-gitlab-webhook-uuid']
        : ['x-gitea-delivery'];
  for (const name of names) {
    const value = header(headers, name)?.trim();
    if (value) return value.slice(0, 200);
  }
  return `body-sha256:${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
}

export function eventOf(provider: HookProvider, headers: HookHeaders): string {
  return (header(headers, EVENT_HEADER[provider]) ?? '').trim().slice(0, 100);
}

/** Thrown (as an Error with a dotted path) when a push body does not have what a deploy needs. */
export class PayloadError extends Error {}

/** Parses a verified delivery: ping, push (zod, per provider), or an event Slipway does not act on. */
export function parseHookRequest(provider: HookProvider, headers: HookHeaders, body: Buffer): HookRequest {
  const event = eventOf(provider, headers);
  const deliveryId = deliveryIdOf(provider, headers, body);
  if (PING_EVENT[provider].includes(event)) return { kind: 'ping', event, deliveryId };
  if (event !== PUSH_EVENT[provider]) return { kind: 'other', event: event || '(none)', deliveryId };
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new PayloadError('the body is not JSON');
  }
  return { kind: 'push', event, deliveryId, push: parsePush(provider, json) };
}

export function parsePush(provider: HookProvider, json: unknown): PushEvent {
  if (provider === 'github') {
    const p = check(githubPush, json);
    return {
      ref: p.ref,
      after: p.after,
      cloneUrl: p.repository.clone_url,
      pusher: p.pusher?.name ?? p.sender?.login ?? '',
    };
  }
  if (provider === 'gitlab') {
    const p = check(gitlabPush, json);
    const cloneUrl = p.project?.git_http_url ?? p.repository?.git_http_url;
    if (!cloneUrl) throw new PayloadError('project.git_http_url: required (or repository.git_http_url)');
    return { ref: p.ref, after: p.after, cloneUrl, pusher: p.user_username ?? p.user_name ?? '' };
  }
  const p = check(giteaPush, json);
  return {
    ref: p.ref,
    after: p.after,
    cloneUrl: p.repository.clone_url,
    pusher: p.pusher?.login ?? p.pusher?.username ?? '',
  };
}

function check<T>(schema: z.ZodType<T>, json: unknown): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new PayloadError(`${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

const ZERO = /^0{40}$/;

/** Deploy, or why not: a tag, a delete, another branch than the hook's. */
export function classifyPush(push: PushEvent, hookBranch: string): PushDecision {
  if (!push.ref.startsWith('refs/heads/')) return { kind: 'ignored', reason: `not a branch (${push.ref})` };
  const branch = push.ref.slice('refs/heads/'.length);
  if (ZERO.test(push.after)) return { kind: 'ignored', reason: 'branch deleted', branch };
  if (branch !== hookBranch) return { kind: 'ignored', reason: 'other branch', branch };
  return { kind: 'deploy', branch, commit: push.after };
}

/**
 * A branch name a hook may deploy: git's ref rules, stricter (no leading dash or dot, no `..`, no `@{`, no
 * control characters or spaces), so it is safe as part of a refspec argument.
 */
export function isSafeBranch(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 200 &&
    /^[A-Za-z0-9._/-]+$/.test(name) &&
    !/^[-./]|\/$|\.\.|\/\/|\.lock$|\/\.|@\{/.test(name)
  );
}
