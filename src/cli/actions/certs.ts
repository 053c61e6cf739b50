import { readFile } from 'node:fs/promises';
import { SlipwayError } from '../../core/errors.js';
import { has, requireApp } from '../args.js';
import type { CommandContext, CommandRuns } from '../command.js';
import type { PlatformCertificateView } from '../../domains/platform-certificate.js';
import type { CertificateView } from '../../domains/certificate-service.js';

const certsPath = (app: string) => `/v1/apps/${encodeURIComponent(app)}/certs`;
const PLATFORM_PATH = '/v1/platform/certificate';

function describePlatform(ctx: CommandContext, cert: PlatformCertificateView): void {
  const days = Math.floor((Date.parse(cert.notAfter) - Date.now()) / 86_400_000);
  const rows: Array<[string, string]> = [
    ['api host', `${cert.url} (slipway login ${cert.url})`],
    [
      'kind',
      cert.selfSigned ? "Slipway's self-signed certificate (clients pin it at login)" : 'given (certs:add --platform)',
    ],
    ['subject', cert.subject],
    ['issuer', cert.issuer],
    ['names (SANs)', cert.names.join(', ')],
    ['not after', `${cert.notAfter} (${days} day${days === 1 ? '' : 's'} left)`],
    ['sha-256', cert.fingerprint256],
  ];
  for (const [key, value] of rows) ctx.output.out(`${key.padEnd(13)} ${value}`);
}

/** The certs commands with --platform: the remote API host's certificate. */
async function platformCert(ctx: CommandContext, method: 'GET' | 'PUT' | 'DELETE', body?: unknown): Promise<void> {
  const { certificate } = await ctx.api().json<{ certificate: PlatformCertificateView }>(method, PLATFORM_PATH, body);
  if (ctx.json) return ctx.output.out(JSON.stringify(certificate, null, 2));
  if (method === 'PUT') ctx.output.out('certificate installed for the API host');
  if (method === 'DELETE') ctx.output.out("the API host is served Slipway's self-signed certificate again");
  describePlatform(ctx, certificate);
}

function describe(ctx: CommandContext, cert: CertificateView): void {
  const days = Math.floor((Date.parse(cert.notAfter) - Date.now()) / 86_400_000);
  const rows: Array<[string, string]> = [
    ['subject', cert.subject],
    ['issuer', cert.issuer],
    ['names (SANs)', cert.names.join(', ')],
    ['not after', `${cert.notAfter} (${days} day${days === 1 ? '' : 's'} left)`],
    ['served for', cert.hosts.length ? cert.hosts.join(', ') : "- (covers none of the app's hosts)"],
  ];
  if (cert.uncoveredHosts.length) rows.push(['not covered', cert.uncoveredHosts.join(', ')]);
  rows.push(['sha-256', cert.fingerprint256]);
  for (const [key, value] of rows) ctx.output.out(`${key.padEnd(13)} ${value}`);
}

/** Reads a PEM file given on the command line; its content goes to the server only, never to output. */
async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `cannot read the ${what} file ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        hint: 'slipway certs:add -a APP CERT_FILE KEY_FILE',
      },
    );
  }
}

export const runs = {
  async certs(ctx) {
    if (has(ctx.args, 'platform')) return platformCert(ctx, 'GET');
    const app = requireApp(ctx.args);
    const { certificate } = await ctx.api().json<{ certificate: CertificateView | null }>('GET', certsPath(app));
    if (ctx.json) return ctx.output.out(JSON.stringify(certificate, null, 2));
    if (!certificate)
      return ctx.output.out(
        `${app} has no certificate — add one with \`slipway certs:add -a ${app} CERT_FILE KEY_FILE\``,
      );
    describe(ctx, certificate);
  },
  async 'certs:add'(ctx) {
    const [certFile, keyFile, ...extra] = ctx.args.positionals;
    if (!certFile || !keyFile || extra.length > 0) {
      throw new SlipwayError('INVALID_INPUT', 'certs:add needs a certificate file and a key file', {
        hint: 'slipway certs:add -a APP CERT_FILE KEY_FILE (PEM), or --platform CERT_FILE KEY_FILE',
      });
    }
    const body = { cert: await readPem(certFile, 'certificate'), key: await readPem(keyFile, 'key') };
    if (has(ctx.args, 'platform')) return platformCert(ctx, 'PUT', body);
    const app = requireApp(ctx.args);
    const { certificate } = await ctx.api().json<{ certificate: CertificateView }>('PUT', certsPath(app), body);
    if (ctx.json) return ctx.output.out(JSON.stringify(certificate, null, 2));
    ctx.output.out(`certificate installed for ${app}`);
    describe(ctx, certificate);
  },
  async 'certs:remove'(ctx) {
    if (has(ctx.args, 'platform')) return platformCert(ctx, 'DELETE');
    const app = requireApp(ctx.args);
    const result = await ctx.api().json<{ removed: boolean }>('DELETE', certsPath(app));
    if (ctx.json) return ctx.output.out(JSON.stringify(result));
    ctx.output.out(`removed the certificate of ${app}`);
  },
} satisfies CommandRuns;
