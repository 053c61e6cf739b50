import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../core/errors.js';
import { checkAdvertiseAddr, dockerEndpointFrom } from './docker-endpoint.js';

test('unix sockets and plain tcp are parsed to an endpoint and a normal form', () => {
  assert.deepEqual(dockerEndpointFrom('unix:///var/run/docker.sock'), {
    endpoint: { socketPath: '/var/run/docker.sock' },
    url: 'unix:///var/run/docker.sock',
  });
  assert.deepEqual(dockerEndpointFrom('/tmp/n2.sock'), {
    endpoint: { socketPath: '/tmp/n2.sock' },
    url: 'unix:///tmp/n2.sock',
  });
  assert.deepEqual(dockerEndpointFrom('tcp://10.0.0.2:2375'), {
    endpoint: { host: '10.0.0.2', port: 2375 },
    url: 'tcp://10.0.0.2:2375',
  });
  assert.deepEqual(dockerEndpointFrom('tcp://[fd00::2]:2375').endpoint, { host: 'fd00::2', port: 2375 });
  assert.deepEqual(dockerEndpointFrom('ssh://root@node2:2222'), {
    ssh: { user: 'root', host: 'node2', port: 2222 },
    url: 'ssh://root@node2:2222',
  });
  assert.deepEqual(dockerEndpointFrom('ssh://node2'), { ssh: { host: 'node2' }, url: 'ssh://node2' });
});

test('TLS and malformed endpoints (ssh ones included) are refused with what is supported', () => {
  const cases: [string, RegExp][] = [
    ['https://node2:2376', /--tls-dir/],
    ['ssh://-oProxyCommand=x', /ssh:\/\/root@/],
    ['ssh://root@-x', /ssh:\/\/root@/],
    ['ssh://-l@host', /ssh:\/\/root@/],
    ['ssh://root@host/path', /ssh:\/\/root@/],
    ['ssh://root@host:0', /ssh:\/\/root@/],
    ['ssh://a b@host', /ssh:\/\/root@/],
    ['ftp://x', /unix:\/\/\/path/],
    ['tcp://a b:1', /tcp:\/\//],
    ['tcp://host:99999', /tcp:\/\//],
    ['tcp://host', /unix:\/\/\/path/],
    ['unix://relative', /unix:\/\//],
    ['/tmp/../etc/x.sock', /unix:\/\//],
    ['', /unix/],
    ['-H=evil', /unix/],
  ];
  for (const [value, hint] of cases)
    assert.throws(
      () => dockerEndpointFrom(value),
      (err: unknown) => err instanceof SlipwayError && err.code === 'INVALID_INPUT' && hint.test(err.hint ?? ''),
      value,
    );
});

const PEM = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
const TLS = { ca: PEM('CERTIFICATE'), cert: PEM('CERTIFICATE'), key: PEM('PRIVATE KEY') };

test('tcp:// with certificates is a TLS endpoint; certificates that are not PEM, or with another scheme, are refused', () => {
  assert.deepEqual(dockerEndpointFrom('tcp://10.0.0.2:2376', TLS), {
    endpoint: { host: '10.0.0.2', port: 2376, tls: TLS },
    url: 'tcp://10.0.0.2:2376',
  });
  const refused = (value: string, tls: typeof TLS, message: RegExp) =>
    assert.throws(
      () => dockerEndpointFrom(value, tls),
      (err: unknown) => err instanceof SlipwayError && err.code === 'INVALID_INPUT' && message.test(err.message),
      message.source,
    );
  refused('tcp://10.0.0.2:2376', { ...TLS, key: PEM('CERTIFICATE') }, /key\.pem is not a PEM private key/);
  refused('tcp://10.0.0.2:2376', { ...TLS, ca: 'hello' }, /ca\.pem is not a PEM certificate/);
  refused('tcp://10.0.0.2:2376', { ...TLS, cert: PEM('CERTIFICATE').repeat(5000) }, /cert\.pem/);
  refused('ssh://root@node2', TLS, /goes with a tcp/);
  refused('/var/run/docker.sock', TLS, /goes with a tcp/);
});

test('advertise addresses', () => {
  assert.equal(checkAdvertiseAddr('10.0.0.1'), '10.0.0.1');
  assert.equal(checkAdvertiseAddr('10.0.0.1:2377'), '10.0.0.1:2377');
  assert.equal(checkAdvertiseAddr('eth0'), 'eth0');
  for (const bad of ['', 'not an address', '10.0.0.1:0', '$(id)', '-x'])
    assert.throws(() => checkAdvertiseAddr(bad), /not an address/, bad);
});
