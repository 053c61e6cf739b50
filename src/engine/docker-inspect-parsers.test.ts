import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exposedTcpPorts,
  containerLimits,
  parseContainerEvent,
  parseContainerInspect,
  parseContainerListIds,
  parseImageInspect,
  parseWaitResponse,
  publishedHostPort,
  containerIp,
} from './docker-inspect-parsers.js';

// Trimmed from real Docker 20.10 (API 1.41) answers.
const RUNNING_CONTAINER = {
  Id: '2d4971e660d4793b9be7340fa589b2c1bc11c94a4aea4ea37f053108bb09f1bb',
  Created: '2026-11-23T18:43:23.394187201Z',
  Path: '/bin/sh',
  Args: ['-c', 'while true; do echo hi; sleep 1; done'],
  State: {
    Status: 'running',
    Running: true,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 4242,
    ExitCode: 0,
    Error: '',
    StartedAt: '2026-11-23T18:43:23.857570558Z',
    FinishedAt: '0001-01-01T00:00:00Z',
  },
  Image: 'sha256:e70ba0c7b3456a968c3993ebc05d5698be5309ae3614961fc7c56a191863d62d',
  Name: '/slipway-shop-web-v3-ab12cd',
  Config: {
    Hostname: '2d4971e660d4',
    Tty: false,
    Env: ['PORT=5000', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['/bin/sh', '-c', 'while true; do echo hi; sleep 1; done'],
    Image: 'slipway/shop:build-12',
    Labels: { 'slipway.app': 'shop', 'slipway.process': 'web', 'slipway.release': '3' },
    StopTimeout: 25,
  },
  NetworkSettings: {
    Ports: {
      '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '32768' }],
      '9000/tcp': null,
    },
  },
};

describe('parseContainerInspect', () => {
  it('maps a running container with its published loopback port', () => {
    assert.deepEqual(parseContainerInspect(RUNNING_CONTAINER), {
      id: '2d4971e660d4793b9be7340fa589b2c1bc11c94a4aea4ea37f053108bb09f1bb',
      name: 'slipway-shop-web-v3-ab12cd',
      image: 'slipway/shop:build-12',
      labels: { 'slipway.app': 'shop', 'slipway.process': 'web', 'slipway.release': '3' },
      state: 'running',
      createdAt: '2026-11-23T18:43:23.394187201Z',
      startedAt: '2026-11-23T18:43:23.857570558Z',
      hostPort: 32768,
    });
  });

  it('maps an exited container: exit code and finish time, no port (Docker empties Ports)', () => {
    const exited = {
      ...RUNNING_CONTAINER,
      State: {
        ...RUNNING_CONTAINER.State,
        Status: 'exited',
        Running: false,
        Pid: 0,
        ExitCode: 137,
        FinishedAt: '2026-11-23T18:44:00.1Z',
      },
      NetworkSettings: { Ports: {} },
    };
    const info = parseContainerInspect(exited);
    assert.equal(info.state, 'exited');
    assert.equal(info.exitCode, 137);
    assert.equal(info.finishedAt, '2026-11-23T18:44:00.1Z');
    assert.equal(info.hostPort, undefined);
  });

  it('maps a created, never started container with null labels', () => {
    const created = {
      ...RUNNING_CONTAINER,
      State: { ...RUNNING_CONTAINER.State, Status: 'created', Running: false, StartedAt: '0001-01-01T00:00:00Z' },
      Config: { ...RUNNING_CONTAINER.Config, Labels: null },
      NetworkSettings: { Ports: {} },
    };
    const info = parseContainerInspect(created);
    assert.equal(info.state, 'created');
    assert.deepEqual(info.labels, {});
    assert.equal(info.startedAt, undefined);
    assert.equal(info.exitCode, undefined);
  });

  it('rejects an answer without an Id', () => {
    assert.throws(() => parseContainerInspect({}), { code: 'INTERNAL' });
  });
});

describe('containerIp', () => {
  it('takes the bridge address of a running container, else the first network with one', () => {
    const running = {
      ...RUNNING_CONTAINER,
      NetworkSettings: {
        ...RUNNING_CONTAINER.NetworkSettings,
        IPAddress: '172.17.0.5',
        Networks: { bridge: { IPAddress: '172.17.0.5' } },
      },
    };
    assert.equal(parseContainerInspect(running).ip, '172.17.0.5');
    assert.equal(
      containerIp({ IPAddress: '', Networks: { zeta: { IPAddress: '10.0.0.9' }, alpha: { IPAddress: '10.0.0.2' } } }),
      '10.0.0.2',
    );
  });

  it('gives no address for a stopped container, --network none or a value that is not an IPv4 address', () => {
    const exited = {
      ...RUNNING_CONTAINER,
      State: { ...RUNNING_CONTAINER.State, Status: 'exited' },
      NetworkSettings: { IPAddress: '172.17.0.5' },
    };
    assert.equal(parseContainerInspect(exited).ip, undefined, 'only a running container has a reachable address');
    assert.equal(containerIp({ IPAddress: '', Networks: { none: { IPAddress: '' } } }), undefined);
    for (const bad of ['172.17.0.5 check', '256.1.1.1', '::1', '1.2.3', '-x', 42])
      assert.equal(containerIp({ IPAddress: bad }), undefined, String(bad));
    assert.equal(containerIp(null), undefined);
  });
});

describe('publishedHostPort', () => {
  it('prefers the loopback binding, ignores unbound and UDP ports', () => {
    assert.equal(
      publishedHostPort({
        '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
        '80/tcp': [
          { HostIp: '0.0.0.0', HostPort: '8080' },
          { HostIp: '127.0.0.1', HostPort: '49153' },
        ],
      }),
      49153,
    );
    assert.equal(publishedHostPort({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] }), 8080);
    assert.equal(publishedHostPort({ '80/tcp': null }), undefined);
    assert.equal(publishedHostPort(null), undefined);
  });
});

describe('parseImageInspect', () => {
  it('maps a built image', () => {
    const info = parseImageInspect({
      Id: 'sha256:edb315b52b624518384c2ea1c19567bd434c830044f121ac890801ba2a8979a9',
      RepoTags: ['slipway/shop:build-12', 'slipway/shop:latest'],
      RepoDigests: [],
      Created: '2026-11-23T18:45:01.123Z',
      Config: {
        Env: ['PATH=/usr/bin:/bin', 'NODE_ENV=production'],
        Cmd: ['node', 'server.js'],
        Entrypoint: ['/docker-entrypoint.sh'],
        ExposedPorts: { '8080/tcp': {}, '53/udp': {}, '3000': {} },
        Labels: { 'slipway.app': 'shop' },
      },
      Size: 198899004,
    });
    assert.deepEqual(info, {
      id: 'sha256:edb315b52b624518384c2ea1c19567bd434c830044f121ac890801ba2a8979a9',
      tags: ['slipway/shop:build-12', 'slipway/shop:latest'],
      cmd: ['node', 'server.js'],
      entrypoint: ['/docker-entrypoint.sh'],
      env: ['PATH=/usr/bin:/bin', 'NODE_ENV=production'],
      exposedPorts: [3000, 8080],
      labels: { 'slipway.app': 'shop' },
      createdAt: '2026-11-23T18:45:01.123Z',
      sizeBytes: 198899004,
    });
  });

  it('maps a `docker import`ed image whose config is all null', () => {
    const info = parseImageInspect({
      Id: 'sha256:e70ba0c7b3456a968c3993ebc05d5698be5309ae3614961fc7c56a191863d62d',
      RepoTags: ['slipway/debian:bookworm'],
      Created: '2026-11-23T18:40:56.279047615Z',
      Config: { Env: null, Cmd: null, Entrypoint: null, Labels: null },
      Size: 198899004,
    });
    assert.deepEqual(
      { cmd: info.cmd, entrypoint: info.entrypoint, env: info.env, ports: info.exposedPorts, labels: info.labels },
      { cmd: null, entrypoint: null, env: [], ports: [], labels: {} },
    );
  });

  it('drops the <none>:<none> tag of dangling images', () => {
    assert.deepEqual(parseImageInspect({ Id: 'sha256:1', RepoTags: ['<none>:<none>'], Config: null }).tags, []);
  });
});

describe('small answers', () => {
  it('exposedTcpPorts sorts and dedupes', () => {
    assert.deepEqual(exposedTcpPorts({ '80/tcp': {}, '443/tcp': {}, '80': {} }), [80, 443]);
  });

  it('parseWaitResponse returns the exit code or throws on Error', () => {
    assert.equal(parseWaitResponse({ StatusCode: 3, Error: null }), 3);
    assert.throws(() => parseWaitResponse({ StatusCode: -1, Error: { Message: 'boom' } }), {
      code: 'CONTAINER_FAILED',
    });
  });

  it('parseContainerListIds', () => {
    assert.deepEqual(parseContainerListIds([{ Id: 'a', Names: ['/x'] }, { Id: 'b' }, {}]), ['a', 'b']);
    assert.deepEqual(parseContainerListIds(null), []);
  });
});

describe('parseContainerEvent', () => {
  it('takes the action, id, labels and exit code of a die event (as Docker 20.10 sends it)', () => {
    const event = parseContainerEvent({
      status: 'die',
      id: 'abc',
      from: 'slipway/x:1',
      Type: 'container',
      Action: 'die',
      Actor: {
        ID: 'abc',
        Attributes: {
          exitCode: '137',
          image: 'slipway/x:1',
          name: 'slipway-x-web-1',
          'slipway.app': 'x',
          'slipway.process': 'web',
        },
      },
      scope: 'local',
      time: 1700000000,
      timeNano: 1700000000123456800, // Docker sends a JSON number: a double, as JSON.parse reads it
    });
    assert.deepEqual(event, {
      action: 'die',
      id: 'abc',
      labels: { 'slipway.app': 'x', 'slipway.process': 'web' },
      exitCode: 137,
      timeMs: 1700000000123,
    });
  });

  it('cuts the detail off exec actions and ignores non-container events', () => {
    assert.equal(
      parseContainerEvent({
        Type: 'container',
        Action: 'exec_start: sh -c true',
        Actor: { ID: 'a', Attributes: {} },
        time: 1,
      })?.action,
      'exec_start',
    );
    assert.equal(parseContainerEvent({ Type: 'network', Action: 'connect', Actor: { ID: 'n' } }), null);
    assert.equal(parseContainerEvent({ Type: 'container', Action: 'start', Actor: {} }), null);
    assert.equal(parseContainerEvent('garbage'), null);
  });
});

describe('containerLimits', () => {
  it('reads the applied limits and leaves out "unlimited" (0, null, -1)', () => {
    assert.deepEqual(containerLimits({ Memory: 536870912, PidsLimit: 512, NanoCpus: 1500000000 }), {
      memoryBytes: 536870912,
      pids: 512,
      cpus: 1.5,
    });
    assert.equal(containerLimits({ Memory: 0, PidsLimit: null, NanoCpus: 0 }), undefined);
    assert.deepEqual(containerLimits({ Memory: 0, PidsLimit: -1, NanoCpus: 0, CpuShares: 0 }), undefined);
  });
});
