import { readFileSync } from 'node:fs';
import { SlipwayError } from '../../core/errors.js';
import { flag } from '../args.js';
import { table } from '../reporter.js';
import type { SshKey } from '../../store/ssh-key-repository.js';
import type { CommandRuns } from '../command.js';

export const runs = {
  async 'keys:add'(ctx) {
    const [file, ...extra] = ctx.args.positionals;
    if (!file || extra.length > 0)
      throw new SlipwayError('INVALID_INPUT', 'name one public key file', {
        hint: 'slipway keys:add ~/.ssh/id_ed25519.pub',
      });
    if (!file.endsWith('.pub') && readFileSync(file, 'utf8').includes('PRIVATE KEY'))
      throw new SlipwayError('INVALID_INPUT', `${file} is a private key: never send it anywhere`, {
        hint: `give the public half: slipway keys:add ${file}.pub`,
      });
    const name = flag(ctx.args, 'name');
    const { key } = await ctx.api().json<{ key: SshKey }>('POST', '/v1/keys', {
      publicKey: readFileSync(file, 'utf8').slice(0, 16_384),
      ...(name ? { name } : {}),
    });
    if (ctx.json) return ctx.output.out(JSON.stringify(key, null, 2));
    ctx.output.out(`added key ${key.name} (${key.fingerprint})`);
  },
  async keys(ctx) {
    const { keys } = await ctx.api().json<{ keys: SshKey[] }>('GET', '/v1/keys');
    if (ctx.json) return ctx.output.out(JSON.stringify(keys, null, 2));
    if (keys.length === 0) return ctx.output.out('no SSH keys (add one: slipway keys:add ~/.ssh/id_ed25519.pub)');
    ctx.output.out(
      table(
        keys.map((k) => ({ ...k, type: k.publicKey.split(' ')[0], lastUsedAt: k.lastUsedAt ?? '-' })),
        [
          { key: 'name', title: 'name' },
          { key: 'type', title: 'type' },
          { key: 'fingerprint', title: 'fingerprint' },
          { key: 'lastUsedAt', title: 'last used' },
        ],
      ),
    );
  },
  async 'keys:remove'(ctx) {
    const [which, ...extra] = ctx.args.positionals;
    if (!which || extra.length > 0)
      throw new SlipwayError('INVALID_INPUT', 'which key?', {
        hint: 'slipway keys:remove NAME (see `slipway keys`)',
      });
    const { key } = await ctx.api().json<{ key: SshKey }>('DELETE', `/v1/keys/${encodeURIComponent(which)}`);
    if (ctx.json) return ctx.output.out(JSON.stringify(key, null, 2));
    ctx.output.out(`removed key ${key.name} (${key.fingerprint})`);
  },
} satisfies CommandRuns;
