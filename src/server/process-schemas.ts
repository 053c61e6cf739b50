import { z } from 'zod';
import { isValidProcessType } from '../core/names.js';
import type { BodySchema } from './request-body.js';

/** Request bodies of `ps:exec`, `ps:stop`, `ps:start` and `cron:*` (validated at the boundary, DESIGN habit 8). */

const command = z
  .array(z.string().max(64 * 1024, 'a word of the command is longer than 64 KiB'))
  .min(1, 'give a command to run')
  .max(1024, 'at most 1024 words');

const processType = z.string().refine(isValidProcessType, {
  error: 'not a process type name (lowercase letters, digits, "_" or "-", starting with a letter)',
});

export const execBody: BodySchema<z.ZodType<{ command: string[]; dyno?: string }>> = {
  schema: z.strictObject({ command, dyno: z.string().max(64).optional() }),
  hint: 'slipway ps:exec -a APP [web.1] -- COMMAND [ARGS…]',
};

export const stopBody: BodySchema<z.ZodType<{ targets: string[] }>> = {
  schema: z.strictObject({
    targets: z.array(z.string().max(64)).min(1, 'name a process type or a one-off').max(100),
  }),
  hint: 'slipway ps:stop -a APP web (a process type) or run.ab12cd (a one-off)',
};

export const startBody: BodySchema<z.ZodType<{ types?: string[] }>> = {
  schema: z.strictObject({ types: z.array(processType).max(100).optional() }),
  hint: 'slipway ps:start -a APP [TYPE…]',
};

export const cronAddBody: BodySchema<z.ZodType<{ schedule: string; command: string[] }>> = {
  schema: z.strictObject({ schedule: z.string().max(1000), command }),
  hint: 'slipway cron:add -a APP "0 3 * * *" -- COMMAND [ARGS…]',
};
