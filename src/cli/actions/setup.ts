import { has } from '../args.js';
import { readEnvironment, slipwayPaths } from '../../config/environment.js';
import { DockerEngine } from '../../engine/docker-engine.js';
import { readHostFacts, planSetup, haproxySupported, type HostFacts } from '../../setup/host-checks.js';
import { applySetup } from '../../setup/host-setup.js';
import { progressRenderer } from '../reporter.js';
import { SlipwayError } from '../../core/errors.js';
import type { CommandRuns } from '../command.js';

/** `on`, `off`, or why setup leaves it alone. */
function liveRestoreText(facts: HostFacts): string {
  if (facts.liveRestore === true) return 'on (containers keep running while dockerd restarts)';
  const state =
    facts.liveRestore === null
      ? facts.liveRestoreConfigured
        ? 'configured'
        : 'unknown (engine not answering)'
      : 'off: a dockerd restart (every docker.io upgrade) stops every app';
  return facts.localEngine
    ? state
    : `${state}; DOCKER_HOST is not this host's default dockerd: set live-restore in that engine's own daemon.json`;
}

export const runs = {
  async setup(ctx) {
    const paths = slipwayPaths(readEnvironment().home);
    const engine = new DockerEngine();
    const facts = await readHostFacts(engine, paths.token);
    const steps = planSetup(facts);
    const report = { facts, steps, home: paths.home };
    if (has(ctx.args, 'check')) {
      if (ctx.json) ctx.output.out(JSON.stringify(report, null, 2));
      else {
        ctx.output.out(
          `docker engine   ` +
            (facts.dockerAnswering ? 'running' : facts.dockerdInstalled ? 'installed, not running' : 'not installed'),
        );
        ctx.output.out(`live-restore    ${liveRestoreText(facts)}`);
        ctx.output.out(
          `haproxy         ${facts.haproxyVersion ?? 'not installed'}` +
            (facts.haproxyVersion && !haproxySupported(facts.haproxyVersion) ? ' (too old: 2.4+ needed)' : ''),
        );
        ctx.output.out(`slipway home    ${paths.home} ${facts.homeReady ? '(ready)' : '(not created)'}`);
        if (steps.length === 0) ctx.output.out('nothing to do');
        else for (const step of steps) ctx.output.out(`would: ${step.kind} — ${step.why}`);
      }
      return steps.length === 0 ? 0 : 1;
    }
    if (steps.some((s) => s.kind === 'install-packages') && !facts.aptAvailable) {
      throw new SlipwayError('INVALID_INPUT', 'this host has no apt-get to install Docker Engine / HAProxy with', {
        hint: 'install Docker Engine and HAProxy ≥ 2.4 with your package manager, then run setup again',
      });
    }
    const render = progressRenderer(ctx.output);
    if (steps.length === 0 && !ctx.json)
      ctx.output.out('everything is in place: Docker Engine answers, HAProxy is installed, SLIPWAY_HOME is ready');
    await applySetup(steps, { engine, paths, emit: (e) => (ctx.json ? undefined : render(e)) });
    const after = await readHostFacts(engine, paths.token);
    if (!haproxySupported(after.haproxyVersion)) {
      throw new SlipwayError(
        'HAPROXY_UNAVAILABLE',
        `HAProxy ${after.haproxyVersion ?? '(missing)'} cannot add servers at runtime`,
        { hint: 'install HAProxy 2.4 or newer' },
      );
    }
    if (ctx.json) ctx.output.out(JSON.stringify({ ...report, after }, null, 2));
    else ctx.output.out(`ready: Docker Engine answering, HAProxy ${after.haproxyVersion}, home ${paths.home}`);
  },
} satisfies CommandRuns;
