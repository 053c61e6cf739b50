import { SlipwayError } from './errors.js';

const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** App names become DNS labels (`<app>.<domain>`) and Docker/HAProxy identifiers. */
export function validateAppName(name: unknown): string {
  if (typeof name !== 'string' || !DNS_LABEL.test(name) || name.includes('--')) {
    throw new SlipwayError('INVALID_NAME', `invalid app name ${JSON.stringify(name)}`, {
      hint:
        'use 1-63 lowercase letters, digits and single hyphens, ' +
        'starting with a letter and not ending with a hyphen (e.g. "my-app")',
    });
  }
  return name;
}

const PROCESS_TYPE = /^[a-z][a-z0-9_-]{0,29}$/;

export function isValidProcessType(name: string): boolean {
  return PROCESS_TYPE.test(name);
}

const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function validateConfigKey(key: string): string {
  if (!CONFIG_KEY.test(key)) {
    throw new SlipwayError('INVALID_INPUT', `invalid config var name ${JSON.stringify(key)}`, {
      hint:
        'names start with a letter or underscore and contain ' +
        'only letters, digits and underscores (e.g. DATABASE_URL)',
    });
  }
  return key;
}
