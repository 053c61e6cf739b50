import type { AppRoute } from './port.js';
import { certFile, crtListLine, servedTls } from './tls-files.js';

/**
 * Certificates at runtime (HAProxy 2.2+): `new/set/commit ssl cert` fill HAProxy's certificate
 * store and `add/del ssl crt-list` attach a certificate to its SNI names — no reload.
 */

/** What HAProxy serves for one app: which certificate, for which SNI names. */
export interface AppliedTls {
  id: string;
  sniHosts: string[];
}

export type TlsStep =
  | { op: 'new-cert'; app: string; file: string }
  /** Upload the app's PEM bundle into a transaction (the payload is added when the command is built). */
  | { op: 'set-cert'; app: string; file: string }
  | { op: 'commit-cert'; app: string; file: string }
  | { op: 'add-entry'; app: string; file: string; sniHosts: string[] }
  | { op: 'del-entry'; app: string; file: string }
  | { op: 'del-cert'; app: string; file: string };

/** The certificates HAProxy serves after loading the files rendered for `routes`. */
export function appliedTlsOf(routes: AppRoute[]): Map<string, AppliedTls> {
  return new Map(
    servedTls(routes).map((route) => [route.app, { id: route.tls.id, sniHosts: [...route.tls.sniHosts].sort() }]),
  );
}

/** Steps from what HAProxy serves to what `routes` want, app by app (sorted). Pure. */
export function planTlsSteps(applied: Map<string, AppliedTls>, routes: AppRoute[], certsDir: string): TlsStep[] {
  const desired = appliedTlsOf(routes);
  const apps = [...new Set([...applied.keys(), ...desired.keys()])].sort();
  const steps: TlsStep[] = [];
  for (const app of apps) {
    const file = certFile(certsDir, app);
    const want = desired.get(app);
    const have = applied.get(app);
    if (want && !have) {
      steps.push({ op: 'new-cert', app, file }, { op: 'set-cert', app, file }, { op: 'commit-cert', app, file });
      steps.push({ op: 'add-entry', app, file, sniHosts: want.sniHosts });
    } else if (want && have) {
      if (want.id !== have.id) steps.push({ op: 'set-cert', app, file }, { op: 'commit-cert', app, file });
      if (want.sniHosts.join(' ') !== have.sniHosts.join(' ')) {
        steps.push({ op: 'del-entry', app, file }, { op: 'add-entry', app, file, sniHosts: want.sniHosts });
      }
    } else if (have) {
      steps.push({ op: 'del-entry', app, file }, { op: 'del-cert', app, file });
    }
  }
  return steps;
}

/**
 * The runtime-API command for a step. Payload commands (`<<`) end with the line break that, with
 * the one the client appends, makes the empty line closing the payload; the payload itself has no
 * empty line. `pem` is needed for `set-cert` only.
 */
export function tlsCommand(step: TlsStep, crtList: string, pem?: string): string {
  switch (step.op) {
    case 'new-cert':
      return `new ssl cert ${step.file}`;
    case 'set-cert':
      return `set ssl cert ${step.file} <<\n${payload(pem ?? '')}\n`;
    case 'commit-cert':
      return `commit ssl cert ${step.file}`;
    case 'add-entry':
      return `add ssl crt-list ${crtList} <<\n${crtListLine(step.file, step.sniHosts)}\n`;
    case 'del-entry':
      return `del ssl crt-list ${crtList} ${step.file}`;
    case 'del-cert':
      return `del ssl cert ${step.file}`;
  }
}

/** A step's answer: done (idempotent where a retry can meet its own earlier effect), unsupported, or failed. */
export function classifyTlsAnswer(step: TlsStep, answer: string): 'ok' | 'unsupported' | 'failed' {
  const text = answer.trim();
  if (/^Unknown command/.test(text)) return 'unsupported';
  const ok: Record<TlsStep['op'], RegExp> = {
    'new-cert': /^New empty certificate store|already exists/,
    'set-cert': /^Transaction (created|updated) for certificate/,
    'commit-cert': /Success!/,
    'add-entry': /Success!/,
    'del-entry': /deleted in crtlist|can't be found in crt-list/,
    'del-cert': /deleted!|doesn't exist/,
  };
  return ok[step.op].test(text) ? 'ok' : 'failed';
}

function payload(pem: string): string {
  return pem
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}
