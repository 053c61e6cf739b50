import { z } from 'zod';
import { isValidProcessType } from '../core/names.js';
import type { BodySchema } from './request-body.js';

/**
 * One schema per API request body (DESIGN habit 8): unknown keys are refused, errors name the dotted
 * path. The services check what needs the app's state (a process type the release has, a config name).
 */

const body = <S extends z.ZodType>(schema: S, hint: string): BodySchema<S> => ({ schema, hint });

export const strategySchema = z.enum(['rolling', 'blue-green'], {
  error: 'use rolling or blue-green',
});

const processType = z.string().refine(isValidProcessType, {
  error: 'not a process type name (lowercase letters, digits, "_" or "-", starting with a letter)',
});

const strings = z.array(z.string());
const stringMap = z.record(z.string(), z.string());

export const createAppBody = body(z.strictObject({ name: z.string() }), 'slipway apps:create NAME');

export const imageDeployBody = body(
  z.strictObject({ image: z.string().min(1, 'name an image'), strategy: strategySchema.optional() }),
  'slipway deploy -a APP DIR, or slipway deploy -a APP --image IMAGE [--strategy rolling|blue-green]',
);

/** Build secrets (the base64 JSON of the x-slipway-build-secrets header): names to values, never echoed. */
export const buildSecretsHeader = body(stringMap, 'slipway deploy --secret NAME, or --secret NAME=@FILE');

/** `deploy --build ID`: nothing in the body (the build is in the path). */
export const buildDeployBody = body(z.strictObject({}), 'slipway deploy -a APP --build ID');

export const configBody = body(
  z.strictObject({ set: stringMap.optional(), unset: strings.optional() }),
  'slipway config:set -a APP KEY=value, slipway config:unset -a APP KEY',
);

export const settingsBody = body(
  z.strictObject({ set: stringMap.optional() }),
  'slipway apps:settings:set -a APP KEY=VALUE',
);

export const scaleBody = body(
  z.strictObject({
    formation: z
      .record(processType, z.number().int('counts are whole numbers'))
      .refine((f) => Object.keys(f).length > 0, 'nothing to scale'),
  }),
  'slipway ps:scale -a APP web=2 worker=1',
);

export const rollbackBody = body(
  z.strictObject({ version: z.number().int().min(1, 'a release number (1 or more)').optional() }),
  'slipway rollback -a APP v3',
);

export const restartBody = body(
  z.strictObject({ types: z.array(processType).optional() }),
  'slipway ps:restart -a APP [web]',
);

/** A one-off run (`POST /runs`, and the `spec` of an interactive run). */
export const runBody = body(
  z.strictObject({
    command: strings.min(1, 'give a command to run'),
    release: z.number().int().min(1, 'a release number (1 or more)').optional(),
  }),
  'slipway run -a APP -- COMMAND [ARGS…]',
);

export const domainBody = body(z.strictObject({ host: z.string() }), 'slipway domains:add -a APP www.example.com');

/** A certificate and its private key, PEM: zod's messages never carry the values. */
export const certBody = body(
  z.strictObject({ cert: z.string(), key: z.string() }),
  'slipway certs:add -a APP CERT_FILE KEY_FILE',
);
