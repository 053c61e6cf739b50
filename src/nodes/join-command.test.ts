import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinCommand } from './join-command.js';

const TOKEN = 'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx';

test('one line: install docker.io when missing, then join with the token and address quoted', () => {
  const line = joinCommand(TOKEN, '10.0.0.1:2377');
  assert.equal(
    line,
    'command -v docker >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ' +
      `docker.io; } && docker swarm join --token '${TOKEN}' '10.0.0.1:2377'`,
  );
  assert.equal(line.includes('\n'), false);
});

test('a token or address of an unexpected form never reaches the line', () => {
  assert.throws(() => joinCommand("SWMTKN-1-a-b'; rm -rf /", '10.0.0.1:2377'), /unexpected form/);
  assert.throws(() => joinCommand(TOKEN, '10.0.0.1:2377; reboot'), /not HOST:PORT/);
  assert.throws(() => joinCommand(TOKEN, '$(id):2377'), /not HOST:PORT/);
});
