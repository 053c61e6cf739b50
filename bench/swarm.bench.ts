/**
 * bench/swarm: on a real three-node Swarm lab (test/swarm/swarm-lab.ts), under the same continuous
 * load (4 keep-alive + 2 new-connection clients):
 *  1. Swarm's own rolling update (`docker service update`, start-first and stop-first) of a service
 *     with one host-mode published port per node behind a plain HAProxy with a static server list,
 *     against N Slipway rolling deploys of 4 web replicas: failed requests and non-2xx;
 *  2. a Slipway rolling deploy of 4 replicas over 3 nodes: deploy request → all traffic on the new
 *     release, and → the command returns (median/min/max of RUNS, no other load);
 *  3. node loss: a worker with web dynos killed under load → its servers out of HAProxy rotation
 *     (HAProxy runtime API and `ps` router column), and → 4 web UP on the remaining nodes.
 * Run: node --import tsx bench/swarm.bench.ts   (RUNS=5 by default; PARTS=swarm,slipway,rollout,nodeloss)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, ROOT, freePort, uniqueApp } from '../test/e2e/harness.js';
import { startLoad, summarize, type LoadRun } from '../test/e2e/load.js';
import { SwarmLab } from '../test/swarm/swarm-lab.js';
import { removeRegistryTrust } from '../src/registry/registry-trust.js';
import { sendSocketCommand } from '../src/router/runtime-client.js';
import { startPlainHaproxy, type PlainHaproxy } from './swarm/plain-haproxy.js';
import { pollForSwitch } from './support/switch-poll.js';
import { directGet, docker, problemCounts, sleep, stats, switchedAt, waitUntil } from './swarm/lab-tools.js';

const RUNS = Number(process.env['RUNS'] ?? 5);
const PARTS = new Set((process.env['PARTS'] ?? 'swarm,slipway,rollout,nodeloss').split(','));
/** The fixed host-mode published port of the plain Swarm service, the same on every node. */
const PUBLISHED = 18080;
/** busybox httpd in the lab image listens on $PORT, default 8080, and answers `ok VERSION`. */
const TARGET = 8080;
const CLIENTS = { keepAliveClients: 4, newConnectionClients: 2 };
/** A start-first update that has not completed after this long is stuck (a healthy one takes ~10-20 s). */
const STUCK_MS = 90_000;
const UPDATE_DEADLINE_MS = 180_000;

const benchStarted = Date.now();
const log = (msg: string) => process.stderr.write(`[${Math.round((Date.now() - benchStarted) / 1000)} s] ${msg}\n`);

type Version = 'one' | 'two';
const marker = (v: Version) => `ok ${v}`;
const other = (v: Version): Version => (v === 'one' ? 'two' : 'one');

interface PsRow {
  dyno: string;
  release: string;
  state: string;
  router?: string;
  node?: string;
}

interface SwarmRow {
  setup: string;
  mode: 'replicated' | 'global';
  order: 'start-first' | 'stop-first';
  updatesRequested: number;
  updatesCompleted: number;
  stuck: boolean;
  requests: number;
  failed: number;
  non2xx: number;
  problems: Record<string, number>;
  /** Which release answered the 2xx requests of the row. */
  served: Record<string, number>;
  updateMs: number[];
  switchMs: number[];
  observed: string[];
}

const loads = new Set<LoadRun>();
function load(port: number, host: string): LoadRun {
  const run = startLoad({ port, host, ...CLIENTS, maxDurationMs: 10 * 60_000 });
  loads.add(run);
  return run;
}
async function stopLoad(run: LoadRun) {
  loads.delete(run);
  return run.stop();
}

/** `h.ok` with a deadline: a hung command fails the bench (and the finally cleans up) instead of hanging. */
async function ok(h: Harness, timeoutMs: number, ...argv: string[]) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`slipway ${argv.join(' ')}: no answer after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([h.ok(...argv), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// 1a. Swarm's own rolling update behind a plain HAProxy.

interface UpdateStatus {
  State?: string;
  StartedAt?: string;
  CompletedAt?: string;
  Message?: string;
}

async function updateStatus(lab: SwarmLab, service: string): Promise<UpdateStatus> {
  const out = await docker(lab.manager.host, ['service', 'inspect', service, '--format', '{{json .UpdateStatus}}']);
  return (JSON.parse(out) as UpdateStatus | null) ?? {};
}

async function taskTable(lab: SwarmLab, service: string): Promise<string[]> {
  const format = '{{.Name}} node={{.Node}} desired={{.DesiredState}} current="{{.CurrentState}}" error="{{.Error}}"';
  const out = await docker(lab.manager.host, ['service', 'ps', '--no-trunc', '--format', format, service]);
  return out.split('\n').filter(Boolean);
}

async function allNodesServe(lab: SwarmLab, version: Version): Promise<boolean> {
  const bodies = await Promise.all(lab.nodes.map((n) => directGet(n.address, PUBLISHED)));
  return bodies.every((b) => b?.includes(marker(version)));
}

async function allUp(haproxy: PlainHaproxy): Promise<boolean> {
  const states = Object.values(await haproxy.status());
  return states.length === 3 && states.every((s) => s === 'UP');
}

async function removeService(lab: SwarmLab, service: string): Promise<void> {
  await docker(lab.manager.host, ['service', 'rm', service]);
  await waitUntil(
    `${service}'s containers to be gone from every node`,
    async () => {
      const left = await Promise.all(
        lab.nodes.map((n) =>
          docker(n.host, ['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${service}`]),
        ),
      );
      return left.every((ids) => ids === '');
    },
    90_000,
    500,
  );
}

async function swarmRow(
  lab: SwarmLab,
  haproxy: PlainHaproxy,
  images: Record<Version, string>,
  mode: 'replicated' | 'global',
  order: 'start-first' | 'stop-first',
  rounds: number,
): Promise<SwarmRow> {
  const service = `plain-${mode}-${order}`;
  const placement = mode === 'global' ? ['--mode', 'global'] : ['--replicas', '3', '--replicas-max-per-node', '1'];
  const publish = `mode=host,published=${PUBLISHED},target=${TARGET}`;
  const setup =
    `docker service create ${placement.join(' ')} --update-order ${order} --publish ${publish}; ` +
    `docker service update --image NEW --update-order ${order} (parallelism 1, delay 0, monitor 5 s: the defaults)`;
  log(`swarm ${mode} ${order}: creating ${service}`);
  await docker(lab.manager.host, [
    'service',
    'create',
    '--detach',
    '--name',
    service,
    ...placement,
    '--update-order',
    order,
    '--publish',
    publish,
    '--no-resolve-image',
    images.one,
  ]);
  let current: Version = 'one';
  const row: SwarmRow = {
    setup,
    mode,
    order,
    updatesRequested: 0,
    updatesCompleted: 0,
    stuck: false,
    requests: 0,
    failed: 0,
    non2xx: 0,
    problems: {},
    served: {},
    updateMs: [],
    switchMs: [],
    observed: [],
  };
  try {
    await waitUntil(`${service} to answer on every node`, () => allNodesServe(lab, current), 120_000, 500);
    await waitUntil('the plain HAProxy to see 3 servers UP', () => allUp(haproxy), 60_000, 250);
    const run = load(haproxy.port, 'plain.test');
    try {
      await sleep(2000);
      for (let round = 1; round <= rounds; round++) {
        const target = other(current);
        const before = await updateStatus(lab, service);
        const startedAt = Date.now();
        row.updatesRequested++;
        await docker(lab.manager.host, [
          'service',
          'update',
          '--detach',
          '--image',
          images[target],
          '--update-order',
          order,
          '--no-resolve-image',
          service,
        ]);
        const deadline = startedAt + (order === 'start-first' ? STUCK_MS : UPDATE_DEADLINE_MS);
        let status: UpdateStatus = {};
        for (;;) {
          status = await updateStatus(lab, service).catch(() => ({}));
          const fresh = status.StartedAt !== undefined && status.StartedAt !== before.StartedAt;
          if (fresh && status.State !== 'updating') break;
          if (Date.now() > deadline) break;
          await sleep(500);
        }
        if (status.State !== 'completed') {
          row.stuck = status.State === 'updating' || status.State === undefined;
          const tasks = await taskTable(lab, service).catch((err: Error) => [err.message]);
          const servingNow = await Promise.all(lab.nodes.map((n) => directGet(n.address, PUBLISHED)));
          row.observed.push(
            `update ${round} (to ${target}) not completed after ${Math.round((Date.now() - startedAt) / 1000)} s: ` +
              `UpdateStatus ${JSON.stringify(status)}`,
            `nodes answering directly: ${lab.nodes.map((n, i) => `${n.name}=${servingNow[i]?.trim() ?? 'nothing'}`)}`,
            ...tasks.map((t) => `task: ${t}`),
          );
          log(`swarm ${mode} ${order}: update ${round} ${status.State ?? 'not started'}; ${row.observed.join('\n  ')}`);
          break;
        }
        row.updateMs.push(Date.now() - startedAt);
        row.updatesCompleted++;
        current = target;
        await waitUntil(`${service}: every node on ${target}`, () => allNodesServe(lab, target), 60_000, 250);
        // Users' HAProxy would not wait; the bench does, so each update starts from 3 servers UP.
        await waitUntil('the plain HAProxy to see 3 servers UP', () => allUp(haproxy), 60_000, 250);
        await sleep(1000);
        const switched = switchedAt(run.samples, startedAt, marker(target));
        if (switched) row.switchMs.push(switched - startedAt);
        log(`swarm ${mode} ${order}: update ${round} done in ${row.updateMs.at(-1)} ms`);
      }
    } finally {
      const samples = await stopLoad(run);
      const summary = summarize(samples);
      Object.assign(row, { requests: summary.total, failed: summary.failed, non2xx: summary.non2xx });
      row.problems = problemCounts(samples);
      for (const s of samples.filter((x) => x.ok)) {
        const body = (s.body ?? '').trim();
        row.served[body] = (row.served[body] ?? 0) + 1;
      }
    }
  } finally {
    await removeService(lab, service);
  }
  log(`swarm ${mode} ${order}: ${row.failed} failed + ${row.non2xx} non-2xx of ${row.requests}`);
  return row;
}

// ---------------------------------------------------------------------------------------------
// Slipway on the same lab.

async function ps(h: Harness, app: string): Promise<PsRow[]> {
  const out = (await ok(h, 60_000, 'ps', '-a', app, '--json')).stdout;
  return (JSON.parse(out) as { processes: PsRow[] }).processes;
}
const webUp = (rows: PsRow[]) => rows.filter((r) => r.dyno.startsWith('web.') && r.router === 'UP');
const spread = (rows: PsRow[]) => {
  const out: Record<string, number> = {};
  for (const r of webUp(rows)) out[r.node ?? '?'] = (out[r.node ?? '?'] ?? 0) + 1;
  return out;
};

/**
 * The app's servers as HAProxy's runtime API shows them (`show stat`): address → statuses. A server
 * is in rotation while its status starts with UP (also "UP 1/3": one failed check, still served).
 */
async function routerServers(socket: string, app: string): Promise<Map<string, string[]>> {
  const out = await sendSocketCommand(socket, 'show stat', { timeoutMs: 5000 });
  const [header, ...lines] = out.split('\n').filter(Boolean);
  const cols = header!.replace(/^# /, '').split(',');
  const [px, sv, status, addr] = ['pxname', 'svname', 'status', 'addr'].map((c) => cols.indexOf(c));
  const servers = new Map<string, string[]>();
  for (const line of lines) {
    const f = line.split(',');
    if (f[px!] !== `app_${app}` || f[sv!] === 'BACKEND' || f[sv!] === 'FRONTEND') continue;
    const address = (f[addr!] ?? '').split(':')[0]!;
    servers.set(address, [...(servers.get(address) ?? []), f[status!] ?? '']);
  }
  return servers;
}
const inRotation = (statuses: string[] | undefined) => (statuses ?? []).some((s) => s.startsWith('UP'));

/** 4 parallel pollers through HAProxy; a sample counts at the time its request was sent. */
async function timeRollout(h: Harness, app: string, target: Version) {
  const started = Date.now();
  const poll = pollForSwitch(h, app, (body) => body.includes(marker(target)));
  let commandMs = 0;
  let switchMs: number | undefined;
  try {
    await ok(h, 300_000, 'deploy', '-a', app, '--image', `slipway-lab/web:${target === 'one' ? 1 : 2}`);
    commandMs = Date.now() - started;
    await waitUntil(
      'all traffic on the new release for 1 s',
      async () => {
        const first = poll.firstAllNew();
        switchMs = first !== undefined ? first - started : undefined;
        return first !== undefined && Date.now() - first > 1000;
      },
      60_000,
      100,
    );
  } finally {
    await poll.stop();
  }
  return { switchMs: switchMs!, commandMs };
}

// ---------------------------------------------------------------------------------------------

const result: Record<string, unknown> = {
  bench: 'swarm',
  date: new Date().toISOString(),
  runs: RUNS,
  load: CLIENTS,
  lab: '3 dockerds (m1 manager, w1, w2) in network namespaces of this machine, one lab bridge',
};
const notes: string[] = [];
const lab = await SwarmLab.start({ names: ['m1', 'w1', 'w2'] });
let haproxy: PlainHaproxy | undefined;
let h: Harness | undefined;
let registry = '';
try {
  const images: Record<Version, string> = {
    one: lab.importBusyboxWeb('slipway-lab/web:1', 'one'),
    two: lab.importBusyboxWeb('slipway-lab/web:2', 'two'),
  };
  log(`lab up: ${lab.nodes.map((n) => `${n.name}=${n.address}`).join(' ')}`);

  if (PARTS.has('swarm')) {
    const servers = lab.nodes.map((n) => ({ name: n.name, address: n.address, port: PUBLISHED }));
    haproxy = await startPlainHaproxy(await freePort(), servers);
    const rows: SwarmRow[] = [];
    rows.push(await swarmRow(lab, haproxy, images, 'replicated', 'start-first', RUNS));
    rows.push(await swarmRow(lab, haproxy, images, 'global', 'start-first', RUNS));
    rows.push(await swarmRow(lab, haproxy, images, 'replicated', 'stop-first', RUNS));
    result['swarmUpdate'] = { haproxyConfig: haproxy.config.split('\n').filter(Boolean), rows };
    await haproxy.stop();
    haproxy = undefined;
  }

  if (PARTS.has('slipway') || PARTS.has('rollout') || PARTS.has('nodeloss')) {
    h = await Harness.create();
    const app = uniqueApp('benchswarm');
    const port = await freePort();
    registry = `${lab.hostAddress}:${port}`;
    await h.startServer({
      DOCKER_HOST: lab.manager.host,
      SLIPWAY_REGISTRY_ADDRESS: lab.hostAddress,
      SLIPWAY_REGISTRY_PORT: String(port),
    });
    await ok(h, 60_000, 'apps:create', app);
    await ok(h, 60_000, 'apps:settings:set', '-a', app, 'drain.timeout=5s', 'stop.grace=2s');
    await ok(h, 300_000, 'deploy', '-a', app, '--image', 'slipway-lab/web:1');
    await ok(h, 300_000, 'ps:scale', '-a', app, 'web=4');
    const hh = h;
    await waitUntil('4 web UP', async () => webUp(await ps(hh, app)).length >= 4, 180_000, 500);
    let current: Version = 'one';
    log(`slipway: ${app} web=4 UP, spread ${JSON.stringify(spread(await ps(h, app)))}`);

    if (PARTS.has('slipway')) {
      const run = load(h.httpPort, h.host(app));
      const commandMs: number[] = [];
      const switchMs: number[] = [];
      const spreads: Record<string, number>[] = [];
      try {
        await sleep(2000);
        for (let i = 1; i <= RUNS; i++) {
          const target = other(current);
          const startedAt = Date.now();
          await ok(h, 300_000, 'deploy', '-a', app, '--image', `slipway-lab/web:${target === 'one' ? 1 : 2}`);
          commandMs.push(Date.now() - startedAt);
          current = target;
          await waitUntil(
            'all load traffic on the new release for 1 s',
            async () => {
              const at = switchedAt(run.samples, startedAt, marker(target));
              return at !== undefined && Date.now() - at > 1000;
            },
            60_000,
            100,
          );
          switchMs.push(switchedAt(run.samples, startedAt, marker(target))! - startedAt);
          spreads.push(spread(await ps(h, app)));
          log(`slipway under load: deploy ${i} returned after ${commandMs.at(-1)} ms`);
          await sleep(1000);
        }
      } finally {
        const samples = await stopLoad(run);
        const summary = summarize(samples);
        result['slipwayRollingUnderLoad'] = {
          setup: '4 web over 3 nodes, `slipway deploy --image` alternating two images (rolling), drain 5 s',
          deploys: commandMs.length,
          requests: summary.total,
          failed: summary.failed,
          non2xx: summary.non2xx,
          problems: problemCounts(samples),
          failures: summary.failures,
          commandMs,
          switchMs,
          spreadAfterEachDeploy: spreads,
        };
        log(`slipway under load: ${summary.failed} failed + ${summary.non2xx} non-2xx of ${summary.total}`);
      }
    }

    if (PARTS.has('rollout')) {
      const switched: number[] = [];
      const returned: number[] = [];
      for (let i = 1; i <= RUNS; i++) {
        const target = other(current);
        const t = await timeRollout(h, app, target);
        current = target;
        switched.push(t.switchMs);
        returned.push(t.commandMs);
        log(`rollout ${i}: all traffic new after ${t.switchMs} ms, command returned after ${t.commandMs} ms`);
        await sleep(1000);
      }
      result['slipwayRollout'] = {
        setup: '4 web over 3 nodes, rolling deploy of a new image, 4 pollers through HAProxy, no other load',
        switchMs: stats(switched),
        commandMs: stats(returned),
      };
    }

    if (PARTS.has('nodeloss')) {
      const socket = join(h.home, 'haproxy', 'runtime.sock');
      const runs: Record<string, unknown>[] = [];
      const outRuntime: number[] = [];
      const outPs: number[] = [];
      const restored: number[] = [];
      for (let i = 1; i <= RUNS; i++) {
        await lab.waitReady(3, 120_000);
        await waitUntil('4 web UP', async () => webUp(await ps(hh, app)).length >= 4, 120_000, 500);
        let rows = await ps(h, app);
        let before = spread(rows);
        let victim = ['w1', 'w2'].filter((n) => before[n]).sort((a, b) => before[b]! - before[a]!)[0];
        if (!victim) {
          // Everything on the manager (after revives): a rolling deploy lets Swarm spread them again.
          notes.push(`node loss run ${i}: no web dyno on a worker (${JSON.stringify(before)}), redeployed first`);
          current = other(current);
          await ok(h, 300_000, 'deploy', '-a', app, '--image', `slipway-lab/web:${current === 'one' ? 1 : 2}`);
          rows = await ps(h, app);
          before = spread(rows);
          victim = ['w1', 'w2'].filter((n) => before[n]).sort((a, b) => before[b]! - before[a]!)[0];
          if (!victim) throw new Error(`no web dyno on a worker: ${JSON.stringify(before)}`);
        }
        const address = lab.node(victim).address;
        const rotationBefore = ((await routerServers(socket, app)).get(address) ?? []).filter((s) =>
          s.startsWith('UP'),
        ).length;
        // What HAProxy said about the victim's servers, each time it changed (ms after the kill).
        const transitions: { ms: number; statuses: string[] }[] = [];
        let psAtOut: string[] = [];
        const run = load(h.httpPort, h.host(app));
        let outRuntimeMs = 0;
        let outPsMs = 0;
        let wholeMs = 0;
        try {
          await waitUntil('the load to run', async () => run.samples.length > 100, 30_000, 100);
          const killedAt = Date.now();
          lab.killNode(victim);
          log(`node loss ${i}: killed ${victim} (${before[victim]} web dynos there; spread ${JSON.stringify(before)})`);
          const runtimeWatch = waitUntil(
            `${victim}'s servers out of HAProxy rotation (runtime API)`,
            async () => {
              const statuses = (await routerServers(socket, app)).get(address) ?? [];
              if (JSON.stringify(statuses) !== JSON.stringify(transitions.at(-1)?.statuses))
                transitions.push({ ms: Date.now() - killedAt, statuses });
              return !inRotation(statuses);
            },
            60_000,
            20,
          ).then(() => (outRuntimeMs = Date.now() - killedAt));
          const psWatch = waitUntil(
            `${victim}'s servers out of rotation (ps router column)`,
            async () => {
              const onVictim = (await ps(hh, app)).filter((r) => r.node === victim && r.dyno.startsWith('web.'));
              psAtOut = onVictim.map((r) => `${r.dyno} ${r.state} router=${r.router ?? '-'}`);
              return !onVictim.some((r) => r.router?.startsWith('UP'));
            },
            60_000,
            25,
          ).then(() => (outPsMs = Date.now() - killedAt));
          await Promise.all([runtimeWatch, psWatch]);
          await waitUntil(
            '4 web UP on the remaining nodes',
            async () => {
              const up = webUp(await ps(hh, app));
              return up.length >= 4 && up.every((r) => r.node !== victim);
            },
            150_000,
            250,
          );
          wholeMs = Date.now() - killedAt;
        } finally {
          const samples = await stopLoad(run);
          const summary = summarize(samples);
          const after = spread(await ps(h, app).catch(() => []));
          runs.push({
            victim,
            webOnVictim: before[victim],
            serversInRotationOnVictim: rotationBefore,
            spreadBefore: before,
            spreadAfterReplacement: after,
            outOfRotationRuntimeMs: outRuntimeMs,
            outOfRotationPsMs: outPsMs,
            victimServerStatuses: transitions,
            psVictimRowsWhenOut: psAtOut,
            restoredMs: wholeMs,
            requests: summary.total,
            failed: summary.failed,
            non2xx: summary.non2xx,
            problems: problemCounts(samples),
          });
          log(
            `node loss ${i}: out of rotation after ${outRuntimeMs} ms (runtime API) / ${outPsMs} ms (ps), ` +
              `4 web UP after ${wholeMs} ms; ${summary.failed} failed + ${summary.non2xx} non-2xx of ${summary.total}`,
          );
        }
        outRuntime.push(outRuntimeMs);
        outPs.push(outPsMs);
        restored.push(wholeMs);
        const revivedAt = Date.now();
        await lab.reviveNode(victim);
        await lab.waitReady(3, 120_000);
        const last = runs.at(-1)!;
        last['reviveReadyMs'] = Date.now() - revivedAt;
        await sleep(3000);
        last['spreadAfterRevive'] = spread(await ps(h, app));
      }
      result['nodeLoss'] = {
        setup: 'kill a worker running web dynos (dockerd SIGKILLed, link down) under load; revive between runs',
        outOfRotationRuntimeMs: stats(outRuntime),
        outOfRotationPsMs: stats(outPs),
        restoredMs: stats(restored),
        runs,
      };
    }
  }
} finally {
  for (const run of [...loads]) await stopLoad(run).catch(() => undefined);
  await haproxy?.stop().catch(() => undefined);
  await h?.destroy().catch(() => undefined);
  if (registry) await removeRegistryTrust(registry).catch(() => undefined);
  await lab.destroy();
}

result['durationMs'] = Date.now() - benchStarted;
result['notes'] = notes;
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'swarm.json'), JSON.stringify(result, null, 2) + '\n');
printSummary();

function printSummary() {
  const out: string[] = [`bench/swarm: RUNS=${RUNS}, ${Math.round((Date.now() - benchStarted) / 1000)} s`];
  const swarm = result['swarmUpdate'] as { rows: SwarmRow[] } | undefined;
  for (const r of swarm?.rows ?? []) {
    const what = r.stuck
      ? `STUCK (${r.updatesCompleted}/${r.updatesRequested} updates completed)`
      : `${r.updatesCompleted}/${r.updatesRequested} updates`;
    out.push(
      `Swarm ${r.mode} ${r.order}: ${what}; failed ${r.failed}/${r.requests}, non-2xx ${r.non2xx}` +
        (r.updateMs.length ? `; update median ${stats(r.updateMs).median} ms` : ''),
    );
  }
  const under = result['slipwayRollingUnderLoad'] as
    { deploys: number; requests: number; failed: number; non2xx: number } | undefined;
  if (under)
    out.push(
      `Slipway rolling (4 web / 3 nodes): ${under.deploys} deploys; failed ${under.failed}/${under.requests}, ` +
        `non-2xx ${under.non2xx}`,
    );
  const fmt = (s: { median: number; min: number; max: number }) => `median ${s.median} ms (${s.min}-${s.max})`;
  const rollout = result['slipwayRollout'] as Record<string, { median: number; min: number; max: number }> | undefined;
  if (rollout)
    out.push(
      `Slipway rollout: all traffic new ${fmt(rollout['switchMs']!)}; command returns ${fmt(rollout['commandMs']!)}`,
    );
  const loss = result['nodeLoss'] as Record<string, { median: number; min: number; max: number }> | undefined;
  if (loss)
    out.push(
      `Node loss: out of rotation ${fmt(loss['outOfRotationRuntimeMs']!)} (runtime API), ` +
        `${fmt(loss['outOfRotationPsMs']!)} (ps); 4 web UP again ${fmt(loss['restoredMs']!)}`,
    );
  console.log(out.join('\n'));
}
