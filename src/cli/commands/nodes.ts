import { JSON_OUTPUT, JSON_STREAM, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/nodes.js'));

export const nodesCommands: Command[] = [
  implemented({
    name: 'nodes',
    group: 'server',
    options: [JSON_OUTPUT],
    examples: ['slipway nodes', 'slipway nodes --json'],
    summary:
      'list the servers: name, address, role, state, availability, tasks, CPU/memory, Docker version, ingress HAProxy',
  }),
  implemented({
    name: 'nodes:add',
    group: 'server',
    options: [
      {
        name: 'engine',
        value: 'DOCKER_HOST',
        description:
          'join the server through its Docker endpoint (unix:///path.sock, tcp://HOST:PORT, ssh://USER@HOST)',
      },
      {
        name: 'advertise-addr',
        value: 'ADDR',
        description: "this server's address for the others, used when this call creates the Swarm",
        default: "Docker's choice (the only address, if there is one)",
      },
      {
        name: 'tls-dir',
        value: 'DIR',
        description:
          "with --engine tcp://HOST:2376: a TLS engine; DIR holds ca.pem (the engine certificate's CA), cert.pem " +
          'and key.pem (this client), as in DOCKER_CERT_PATH. They are kept sealed, for nodes:remove',
      },
      JSON_OUTPUT,
    ],
    examples: [
      'slipway nodes:add --advertise-addr 10.0.0.1',
      'slipway nodes:add --engine ssh://root@node2 --advertise-addr 10.0.0.1',
      'slipway nodes:add --engine unix:///tmp/node2.sock --advertise-addr 10.0.0.1',
      'slipway nodes:add --engine tcp://10.0.0.2:2376 --tls-dir ~/.docker/node2',
    ],
    summary: 'add a server: turns this installation into a Swarm if needed, then joins it or prints the command',
    details:
      'Without --engine, prints one command to run as root on the new server: it installs docker.io from ' +
      'Debian when Docker is missing and joins this Swarm as a worker. The command holds the join token, a ' +
      'secret that lets any machine join: do not paste it anywhere else. With --engine, Slipway joins the ' +
      'server itself and remembers the endpoint so `nodes:remove` can make it leave; ssh:// logs in with ' +
      'your key (BatchMode) and runs `docker system dial-stdio` there; tcp:// with --tls-dir speaks TLS and ' +
      "checks the engine's certificate against ca.pem. " +
      "This server's Docker must not have live-restore enabled (Swarm refuses it).",
  }),
  implemented({
    name: 'nodes:drain',
    group: 'server',
    args: 'NODE',
    options: [JSON_STREAM],
    examples: ['slipway nodes:drain w1'],
    summary: 'move every process off a node with zero downtime, then mark it drained (nothing new goes there)',
    details:
      'The node is paused first (nothing new is placed there), then each app process on it is replaced on the ' +
      'other nodes the way a rolling deploy does it: the new one passes its check and is UP in the router ' +
      'before the old one drains and stops. Then the node is marked drained; Swarm stops what is left there ' +
      '(one-off processes). If a move fails, the node gets its availability back.',
  }),
  implemented({
    name: 'nodes:activate',
    group: 'server',
    args: 'NODE',
    options: [JSON_OUTPUT],
    examples: ['slipway nodes:activate w1'],
    summary: 'let a drained node take tasks again (run nodes:rebalance to spread them)',
  }),
  implemented({
    name: 'nodes:remove',
    group: 'server',
    args: 'NODE',
    options: [
      { name: 'force', description: 'remove it even while tasks run there or it cannot be reached' },
      JSON_OUTPUT,
    ],
    examples: ['slipway nodes:remove w1', 'slipway nodes:remove w1 --force'],
    summary: 'remove a worker (refused while tasks run there: drain it first); one Slipway joined also leaves',
  }),
  implemented({
    name: 'nodes:label',
    group: 'server',
    args: 'NODE KEY=VALUE… | KEY-…',
    options: [JSON_OUTPUT],
    examples: ['slipway nodes:label w1 region=eu disk=ssd', 'slipway nodes:label w1 disk-'],
    summary: "set (k=v) or remove (k- or k=) a node's labels, which placement.TYPE settings select on",
  }),
  implemented({
    name: 'nodes:rebalance',
    group: 'server',
    options: [{ name: 'dry-run', description: 'only show the plan' }, JSON_STREAM],
    examples: ['slipway nodes:rebalance', 'slipway nodes:rebalance --dry-run'],
    summary: 'spread each process type evenly over the nodes it may run on, with zero downtime',
    details:
      'Swarm places a process when it starts and never moves it, so after a node comes back (or joins) the ' +
      'processes stay where they are. nodes:rebalance plans, per app and process type, the fewest moves that ' +
      'spread them over the ready, active nodes their placement allows, and applies them like a rolling ' +
      "deploy: while a move's replacement starts, the other nodes are paused so it lands on the planned node. " +
      'Set SLIPWAY_AUTO_REBALANCE=on on the server to rebalance by itself once the nodes are steady.',
  }),
];
