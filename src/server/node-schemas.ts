import { z } from 'zod';
import type { BodySchema } from './request-body.js';

/** Request bodies of `nodes:add` and `nodes:label` (values are checked again, fully, by the node service). */

const pem = z.string().max(64 * 1024);

export const addNodeBody: BodySchema<
  z.ZodType<{ engine?: string; advertiseAddr?: string; tls?: { ca: string; cert: string; key: string } }>
> = {
  schema: z.strictObject({
    engine: z.string().max(1024).optional(),
    advertiseAddr: z.string().max(300).optional(),
    tls: z.strictObject({ ca: pem, cert: pem, key: pem }).optional(),
  }),
  hint: 'slipway nodes:add [--engine DOCKER_HOST] [--advertise-addr ADDR]',
};

export const labelNodeBody: BodySchema<z.ZodType<{ changes: string[] }>> = {
  schema: z.strictObject({
    changes: z.array(z.string().max(400)).min(1, 'give a label change (k=v, k- or k=)').max(100),
  }),
  hint: 'slipway nodes:label NODE region=eu (set) region- (remove)',
};

export const rebalanceBody: BodySchema<z.ZodType<{ dryRun?: boolean }>> = {
  schema: z.strictObject({ dryRun: z.boolean().optional() }),
  hint: 'slipway nodes:rebalance [--dry-run]',
};
