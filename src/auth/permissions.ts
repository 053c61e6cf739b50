import type { Role, TokenScope } from '../store/user-repository.js';

/**
 * What a request needs (pure, from its method and path): the installation's admin, a level of access to
 * one app, or only to be someone (their own tokens, the apps they may see). Anything not listed here
 * needs the admin: a new route is closed until it is given a rule.
 */
export type AppLevel = 'read' | 'deploy' | 'manage';
export type Need =
  | { kind: 'admin' }
  | { kind: 'user' }
  /** The user's own full token (scope admin, no single app): managing tokens. */
  | { kind: 'full' }
  /**
   * A webhook delivery (`POST /hooks/PROVIDER/APP`): proven by its signature, never by a token. The server
   * dispatches it before token authentication; a token never opens it.
   */
  | { kind: 'signed'; app: string }
  | { kind: 'app'; app: string; level: AppLevel };

const DEPLOY_ACTIONS = /^\/(deploys|builds|builds\/[^/]+\/deploy|rollback)$/;
const ADMIN_APP_ACTIONS = /^\/(rename|access(\/.*)?)$/;

export function needFor(method: string, path: string, query?: URLSearchParams): Need {
  const hook = /^\/hooks\/[^/]+\/([^/]+)$/.exec(path);
  if (hook && method === 'POST') return { kind: 'signed', app: decodeURIComponentSafe(hook[1]!) };
  if (path === '/v1/apps') return method === 'GET' ? { kind: 'user' } : { kind: 'admin' };
  if (path === '/v1/whoami' || path === '/v1/ssh') return { kind: 'user' };
  // The API host's certificate is public (clients pin it); changing it is an admin's.
  if (path === '/v1/platform/certificate' && method === 'GET') return { kind: 'user' };
  // Your own password with your full token; another's: the handler also needs the admin role.
  if (/^\/v1\/users\/[^/]+\/password$/.test(path) && method === 'PUT') return { kind: 'full' };
  if (path === '/v1/tokens' || path.startsWith('/v1/tokens/')) return { kind: 'full' };
  if (path === '/v1/audit' && query?.get('app')) return { kind: 'app', app: query.get('app')!, level: 'manage' };
  // git over HTTP (and SSH, which asks with the same paths): pushing deploys, fetching reads.
  const g = /^\/git\/([^/]+)\.git(\/.*)?$/.exec(path);
  if (g) {
    const push =
      g[2] === '/git-receive-pack' || (g[2] === '/info/refs' && query?.get('service') === 'git-receive-pack');
    return { kind: 'app', app: decodeURIComponentSafe(g[1]!), level: push ? 'deploy' : 'read' };
  }
  // SSH keys are the user's own; a key pushes to every app its user may, so only a full token manages them.
  if (path === '/v1/keys' || path.startsWith('/v1/keys/')) return { kind: 'full' };
  const m = /^\/v1\/apps\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return { kind: 'admin' };
  const app = decodeURIComponentSafe(m[1]!);
  const rest = m[2] ?? '';
  if (ADMIN_APP_ACTIONS.test(rest) || (rest === '' && method === 'DELETE')) return { kind: 'admin' };
  // Config values are secrets: reading them needs what changing them needs.
  if (method === 'GET' && rest !== '/config' && !/\/attach$/.test(rest)) return { kind: 'app', app, level: 'read' };
  if (method === 'POST' && DEPLOY_ACTIONS.test(rest)) return { kind: 'app', app, level: 'deploy' };
  return { kind: 'app', app, level: 'manage' };
}

export interface Caller {
  role: Role;
  scope: TokenScope;
  /** The one app an app token is for. */
  app: string | null;
}

const SCOPE_RANK: Record<TokenScope, number> = { read: 1, deploy: 2, admin: 3 };
const LEVEL_RANK: Record<AppLevel, number> = { read: 1, deploy: 2, manage: 3 };
const LEVEL_SCOPE: Record<AppLevel, TokenScope> = { read: 'read', deploy: 'deploy', manage: 'admin' };

/** Undefined when the caller may; else the permission it lacks, in words for the 403. */
export function missingPermission(caller: Caller, need: Need, hasAccess: (app: string) => boolean): string | undefined {
  if (need.kind === 'user') return undefined;
  if (need.kind === 'signed') return 'a webhook signature (deliveries take no API token)';
  if (need.kind === 'full') {
    if (caller.app !== null) return `a token that is not limited to app ${caller.app}`;
    return caller.scope === 'admin' ? undefined : 'a token of scope admin';
  }
  if (need.kind === 'admin') {
    if (caller.role !== 'admin') return 'the admin role';
    if (caller.app !== null) return `a token that is not limited to app ${caller.app}`;
    return caller.scope === 'admin' ? undefined : 'a token of scope admin';
  }
  if (caller.app !== null && caller.app !== need.app)
    return `a token for app ${need.app} (this one is for ${caller.app})`;
  if (caller.role !== 'admin' && !hasAccess(need.app)) return `access to app ${need.app}`;
  if (SCOPE_RANK[caller.scope] < LEVEL_RANK[need.level]) return `a token of scope ${LEVEL_SCOPE[need.level]}`;
  return undefined;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
