import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, LABELS } from '../core/types.js';
import { oneOffSpec, RUN_DYNO } from './run-spec.js';

describe('one-off container spec', () => {
  it('the release image and config, the run type limits, labels that mark it, no published port', () => {
    const settings = { ...DEFAULT_SETTINGS, resources: { run: { memoryBytes: 64 * 1024 * 1024 } } };
    const spec = oneOffSpec(
      {
        app: { name: 'shop', createdAt: '', settings, currentRelease: 4 },
        release: 4,
        image: 'slipway/shop:build-9',
        config: { DATABASE_URL: 'postgres://x' },
      },
      ['rake', 'db:cleanup'],
      'ab12cd',
      { [LABELS.cronRun]: '17' },
    );
    assert.deepEqual(spec, {
      name: 'slipway-shop-run-ab12cd',
      image: 'slipway/shop:build-9',
      cmd: ['rake', 'db:cleanup'],
      env: {
        DATABASE_URL: 'postgres://x',
        PORT: '5000',
        DYNO: 'run.ab12cd',
        SLIPWAY_APP: 'shop',
        SLIPWAY_RELEASE: 'v4',
        SLIPWAY_PROCESS: 'run.ab12cd',
      },
      labels: {
        [LABELS.cronRun]: '17',
        [LABELS.managed]: 'true',
        [LABELS.app]: 'shop',
        [LABELS.release]: 'v4',
        [LABELS.process]: 'run',
        [LABELS.index]: 'ab12cd',
      },
      stopTimeoutSec: 10,
      limits: { memoryBytes: 64 * 1024 * 1024, pids: 512 },
      logRotation: DEFAULT_SETTINGS.logs,
    });
    assert.ok(RUN_DYNO.test('run.ab12cd'));
    assert.ok(!RUN_DYNO.test('run.1') && !RUN_DYNO.test('web.ab12cd'));
  });
});
