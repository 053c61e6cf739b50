import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import type { ContainerEngine } from '../engine/port.js';
import { DEFAULT_DOCKER_SOCKET } from '../engine/docker-http.js';
import {
  configAsksLiveRestore,
  DEFAULT_DOCKER_DAEMON_FILES,
  LIVE_RESTORE_WHY,
  type DockerDaemonFiles,
} from './live-restore.js';

const run = promisify(execFile);

export interface HostFacts {
  dockerdInstalled: boolean;
  dockerAnswering: boolean;
  haproxyVersion: string | null;
  /** Debian's own haproxy.service is running (it would hold port 80 against Slipway's HAProxy). */
  systemHaproxyActive: boolean;
  homeReady: boolean;
  aptAvailable: boolean;
  /** Docker's live-restore as the running engine reports it (null: the engine does not answer). */
  liveRestore: boolean | null;
  /** The daemon config file already asks for live-restore (in effect from dockerd's next start or reload). */
  liveRestoreConfigured: boolean;
  /**
   * The engine Slipway talks to is this host's default dockerd (DOCKER_HOST unset or its default socket): setup may
   * configure it.
   */
  localEngine: boolean;
}

async function which(bin: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${bin}`]);
    return true;
  } catch {
    return false;
  }
}

/** Whether DOCKER_HOST names this host's default Docker socket (or is unset). */
export function isDefaultDockerHost(dockerHost: string | undefined): boolean {
  return !dockerHost || dockerHost === `unix://${DEFAULT_DOCKER_SOCKET}` || dockerHost === DEFAULT_DOCKER_SOCKET;
}

export async function readHostFacts(
  engine: ContainerEngine,
  homeTokenFile: string,
  docker: { files?: DockerDaemonFiles; local?: boolean } = {},
): Promise<HostFacts> {
  const dockerAnswering = await engine.ping(AbortSignal.timeout(3000)).then(
    () => true,
    () => false,
  );
  const liveRestore = dockerAnswering
    ? ((await engine.info?.(AbortSignal.timeout(3000)).catch(() => undefined))?.liveRestore ?? null)
    : null;
  let haproxyVersion: string | null = null;
  try {
    const { stdout } = await run('haproxy', ['-v']);
    haproxyVersion = /version (\d+\.\d+(\.\d+)?)/.exec(stdout)?.[1] ?? 'unknown';
  } catch {
    haproxyVersion = null;
  }
  let systemHaproxyActive = false;
  if (existsSync('/run/systemd/system')) {
    systemHaproxyActive = await run('systemctl', ['is-active', '--quiet', 'haproxy']).then(
      () => true,
      () => false,
    );
  }
  return {
    dockerdInstalled: (await which('dockerd')) || existsSync('/usr/sbin/dockerd'),
    dockerAnswering,
    haproxyVersion,
    systemHaproxyActive,
    homeReady: existsSync(homeTokenFile),
    aptAvailable: await which('apt-get'),
    liveRestore,
    liveRestoreConfigured: configAsksLiveRestore((docker.files ?? DEFAULT_DOCKER_DAEMON_FILES).daemonJson),
    localEngine: docker.local ?? isDefaultDockerHost(process.env['DOCKER_HOST']),
  };
}

export type SetupStep =
  | { kind: 'install-packages'; packages: string[]; why: string }
  | { kind: 'start-dockerd'; why: string }
  | { kind: 'enable-live-restore'; why: string }
  | { kind: 'stop-system-haproxy'; why: string }
  | { kind: 'create-home'; why: string };

/** Pure: what setup has to do on a host with these facts. */
export function planSetup(facts: HostFacts): SetupStep[] {
  const steps: SetupStep[] = [];
  const packages: string[] = [];
  if (!facts.dockerdInstalled && !facts.dockerAnswering) packages.push('docker.io');
  if (facts.haproxyVersion === null) packages.push('haproxy');
  if (packages.length > 0)
    steps.push({ kind: 'install-packages', packages, why: `${packages.join(' and ')} not found` });
  // Written before dockerd starts (it reads the file then), or reloaded into a running one.
  const liveRestoreMissing = facts.dockerAnswering ? facts.liveRestore === false : !facts.liveRestoreConfigured;
  if (facts.localEngine && liveRestoreMissing) steps.push({ kind: 'enable-live-restore', why: LIVE_RESTORE_WHY });
  if (!facts.dockerAnswering)
    steps.push({ kind: 'start-dockerd', why: 'the Docker Engine is not answering on /var/run/docker.sock' });
  if (facts.systemHaproxyActive)
    steps.push({
      kind: 'stop-system-haproxy',
      why: "Debian's haproxy.service is running; Slipway runs its own HAProxy",
    });
  if (!facts.homeReady) steps.push({ kind: 'create-home', why: 'SLIPWAY_HOME has no API token yet' });
  return steps;
}

/** True when HAProxy is new enough for dynamic servers through the runtime API (2.4+). */
export function haproxySupported(version: string | null): boolean {
  if (!version) return false;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 4);
}
