import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecretRequest, ingressSecret, ingressServiceSpec, specHashOf } from './ingress-requests.js';

const settings = { httpPort: 80, httpsPort: 443, agentPort: 7443, baseImage: 'debian:bookworm-slim' };
const input = (image = 'reg:5000/slipway/ingress@sha256:' + 'a'.repeat(64)) => ({
  image,
  settings,
  domain: 'apps.example.com',
  owner: 'inst-1',
  managerNodeId: 'mgr123',
  secrets: [{ ...ingressSecret('key', 'KEY'), id: 's1' }],
});

test('one task per labelled node, never the manager, on the host network, stopped before its update starts', () => {
  const spec = ingressServiceSpec(input()) as {
    Mode: unknown;
    UpdateConfig: { Order: string };
    TaskTemplate: {
      Networks: Array<{ Target: string }>;
      Placement: { Constraints: string[] };
      RestartPolicy: { Condition: string };
      ContainerSpec: { Env: string[]; Secrets: Array<{ File: { Name: string; Mode: number }; SecretID: string }> };
    };
    Labels: Record<string, string>;
  };
  assert.deepEqual(spec.Mode, { Global: {} });
  assert.deepEqual(spec.TaskTemplate.Networks, [{ Target: 'host' }]);
  assert.deepEqual(spec.TaskTemplate.Placement.Constraints, ['node.labels.slipway.ingress==true', 'node.id!=mgr123']);
  assert.equal(spec.TaskTemplate.RestartPolicy.Condition, 'any');
  assert.equal(spec.UpdateConfig.Order, 'stop-first');
  assert.deepEqual(spec.TaskTemplate.ContainerSpec.Secrets, [
    {
      File: { Name: 'slipway-ingress-key', UID: '0', GID: '0', Mode: 0o400 },
      SecretID: 's1',
      SecretName: input().secrets[0]!.name,
    },
  ]);
  assert.ok(spec.TaskTemplate.ContainerSpec.Env.includes('SLIPWAY_INGRESS_AGENT_PORT=7443'));
  assert.equal(spec.Labels['slipway.ingress-of'], 'inst-1');
  assert.equal(spec.Labels['slipway.instance'], undefined, 'not a dyno of this installation');
});

test('the spec hash changes with what runs and stays for the same input', () => {
  assert.equal(specHashOf(ingressServiceSpec(input())), specHashOf(ingressServiceSpec(input())));
  assert.notEqual(
    specHashOf(ingressServiceSpec(input())),
    specHashOf(ingressServiceSpec(input('other@sha256:' + 'b'.repeat(64)))),
  );
});

test('secrets are named by their content (Swarm secrets cannot change) and never carry it in the name', () => {
  const a = ingressSecret('cert', 'PEM-1');
  assert.equal(a.name, ingressSecret('cert', 'PEM-1').name);
  assert.notEqual(a.name, ingressSecret('cert', 'PEM-2').name);
  assert.match(a.name, /^slipway-ingress-cert-[0-9a-f]{16}$/);
  const body = createSecretRequest(a, 'inst-1').body as { Data: string; Labels: Record<string, string> };
  assert.equal(Buffer.from(body.Data, 'base64').toString(), 'PEM-1');
  assert.deepEqual(body.Labels, { 'slipway.ingress-of': 'inst-1' });
});
