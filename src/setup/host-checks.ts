import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import type { ContainerEngine } from '../engine/port.js';

const run = promisify(execFile);

export interface HostFacts {
  dockerdInstalled: boolean;
  dockerAnswering: boolean;
  haproxyVersion: string | null;
  /** Debian's own haproxy.service is running (it would hold port 80 against Slipway's HAProxy). */
  systemHaproxyActive: boolean;
  homeReady: boolean;
  aptAvailable: boolean;
}

async function which(bin: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${bin}`]);
    return true;
  } catch {
    return false;
  }
}

export async function readHostFacts(engine: ContainerEngine, homeTokenFile: string): Promise<HostFacts> {
  const dockerAnswering = await engine.ping(AbortSignal.timeout(3000)).then(() => true, () => false);
  let haproxyVersion: string | null = null;
  try {
    const { stdout } = await run('haproxy', ['-v']);
    haproxyVersion = /version (\d+\.\d+(\.\d+)?)/.exec(stdout)?.[1] ?? 'unknown';
  } catch {
    haproxyVersion = null;
  }
  let systemHaproxyActive = false;
  if (existsSync('/run/systemd/system')) {
    systemHaproxyActive = await run('systemctl', ['is-active', '--quiet', 'haproxy']).then(() => true, () => false);
  }
  return {
    dockerdInstalled: (await which('dockerd')) || existsSync('/usr/sbin/dockerd'),
    dockerAnswering,
    haproxyVersion,
    systemHaproxyActive,
    homeReady: existsSync(homeTokenFile),
    aptAvailable: await which('apt-get'),
  };
}

export type SetupStep =
  | { kind: 'install-packages'; packages: string[]; why: string }
  | { kind: 'start-dockerd'; why: string }
  | { kind: 'stop-system-haproxy'; why: string }
  | { kind: 'create-home'; why: string };

/** Pure: what setup has to do on a host with these facts. */
export function planSetup(facts: HostFacts): SetupStep[] {
  const steps: SetupStep[] = [];
  const packages: string[] = [];
  if (!facts.dockerdInstalled && !facts.dockerAnswering) packages.push('docker.io');
  if (facts.haproxyVersion === null) packages.push('haproxy');
  if (packages.length > 0) steps.push({ kind: 'install-packages', packages, why: `${packages.join(' and ')} not found` });
  if (!facts.dockerAnswering) steps.push({ kind: 'start-dockerd', why: 'the Docker Engine is not answering on /var/run/docker.sock' });
  if (facts.systemHaproxyActive) steps.push({ kind: 'stop-system-haproxy', why: "Debian's haproxy.service is running; Slipway runs its own HAProxy" });
  if (!facts.homeReady) steps.push({ kind: 'create-home', why: 'SLIPWAY_HOME has no API token yet' });
  return steps;
}

/** True when HAProxy is new enough for dynamic servers through the runtime API (2.4+). */
export function haproxySupported(version: string | null): boolean {
  if (!version) return false;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 4);
}
