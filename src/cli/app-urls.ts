import type { AppUrl } from '../apps/app-urls.js';
import type { CommandContext } from './command.js';

/** The app's URLs (the server knows the domain, the ports and which hosts a certificate covers). */
export async function fetchUrls(ctx: CommandContext, app: string): Promise<AppUrl[]> {
  const { urls } = await ctx.api().json<{ urls: AppUrl[] }>('GET', `/v1/apps/${encodeURIComponent(app)}/urls`);
  return urls;
}

/** `deploy`, `apps:create`, `apps:rename`: where the app answers, one URL a line (HTTPS first when covered). */
export async function printUrls(ctx: CommandContext, app: string, given?: AppUrl[]): Promise<void> {
  for (const u of given ?? (await fetchUrls(ctx, app))) ctx.output.out(`  ${u.url}`);
}
