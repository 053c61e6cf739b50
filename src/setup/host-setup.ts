import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openSync } from 'node:fs';
import type { ContainerEngine } from '../engine/port.js';
import { SlipwayError } from '../core/errors.js';
import { pollUntil } from '../core/abort.js';
import { stage, type EventSink } from '../core/events.js';
import type { SlipwayPaths } from '../config/environment.js';
import { ensureHome } from '../config/home.js';
import type { SetupStep } from './host-checks.js';
import { DEFAULT_DOCKER_DAEMON_FILES, enableLiveRestore, type DockerDaemonFiles } from './live-restore.js';

const run = promisify(execFile);

/** Applies setup steps, each as a timed stage with its reason. */
export async function applySetup(
  steps: SetupStep[],
  deps: { engine: ContainerEngine; paths: SlipwayPaths; emit: EventSink; docker?: DockerDaemonFiles },
): Promise<void> {
  for (const step of steps) {
    switch (step.kind) {
      case 'install-packages':
        await stage(deps.emit, 'build', `install ${step.packages.join(', ')} with apt-get (${step.why})`, async () => {
          const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
          try {
            await run('apt-get', ['update', '-qq'], { env, maxBuffer: 64 * 1024 * 1024 });
            await run('apt-get', ['install', '-y', '-qq', ...step.packages], { env, maxBuffer: 64 * 1024 * 1024 });
          } catch (cause) {
            throw new SlipwayError('INTERNAL', `apt-get could not install ${step.packages.join(', ')}`, {
              cause,
              hint: 'run setup as root on Debian/Ubuntu, or install Docker Engine and HAProxy ≥ 2.4 yourself',
            });
          }
        });
        break;
      case 'enable-live-restore': {
        const files = deps.docker ?? DEFAULT_DOCKER_DAEMON_FILES;
        const done = await stage(
          deps.emit,
          'release',
          `turn on Docker's live-restore in ${files.daemonJson}: ${step.why}`,
          () => enableLiveRestore(deps.engine, files),
        );
        const how = done.reloaded
          ? 'dockerd reloaded it (SIGHUP): no container was restarted'
          : (done.note ?? 'dockerd reads it when it starts');
        deps.emit({
          type: 'info',
          text: `live-restore ${done.wrote ? `written to ${files.daemonJson}` : 'already in the config'}; ${how}`,
          at: new Date().toISOString(),
        });
        break;
      }
      case 'start-dockerd':
        await stage(
          deps.emit,
          'start',
          `start dockerd in the background (${step.why}); log: /var/log/slipway-dockerd.log`,
          async () => {
            const log = openSync('/var/log/slipway-dockerd.log', 'a');
            const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] });
            child.on('error', () => undefined);
            child.unref();
            await pollUntil(
              () =>
                deps.engine.ping(AbortSignal.timeout(2000)).then(
                  () => true,
                  () => undefined,
                ),
              {
                timeoutMs: 60_000,
                intervalMs: 500,
                what: 'dockerd to answer',
                hint: 'see /var/log/slipway-dockerd.log',
              },
            );
          },
        );
        break;
      case 'stop-system-haproxy':
        await stage(deps.emit, 'stop', `disable Debian's haproxy.service (${step.why})`, async () => {
          await run('systemctl', ['disable', '--now', 'haproxy']);
        });
        break;
      case 'create-home':
        await stage(deps.emit, 'release', `create ${deps.paths.home} with a secret key and an API token`, async () => {
          ensureHome(deps.paths);
        });
        break;
    }
  }
}
