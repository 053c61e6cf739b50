import type { ContainerState } from '../engine/port.js';
import type { ServerAdminState } from '../router/port.js';
import type { Formation } from '../core/types.js';

/** A container of the app as observed (Docker labels + route table). */
export interface ObservedContainer {
  id: string;
  process: string;
  release: number;
  index: number;
  state: ContainerState;
  /** HAProxy server name when the container is in the route table. */
  serverName?: string;
  /** The stored admin state and weight of that server (undefined weight: the default, 1). */
  routeState?: ServerAdminState;
  routeWeight?: number;
  /**
   * Its route points where it no longer is: Swarm rescheduled its task onto another node (same id, new
   * address). It does not serve its slot; healing starts a replacement and retires it with its route.
   */
  moved?: boolean;
  /** For a container that stopped: its exit code and when it ran (ISO times), as the engine reports them. */
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface DesiredState {
  release: number;
  /** The image the release's containers start from; absent when nothing is to run (a revert to no release). */
  image?: string;
  /** Process types of the release; `null` command = the image's own CMD. */
  processes: Record<string, string | null>;
  formation: Formation;
  /** Releases with the same build and config: their running containers count as this release's. */
  equivalentReleases?: number[];
  /** Process types whose containers are all replaced even when they already match (ps:restart). */
  restartTypes?: string[];
  /**
   * Containers (by id) that are replaced even when they match: nodes:drain and nodes:rebalance move them to
   * other nodes, the move to Swarm replaces plain containers with services. Each new one is started, probed
   * and UP before the one it replaces drains.
   */
  replace?: string[];
}

/** A new container is known by its key (`web.2@v7`) until it exists and has an id. */
export type DeployStep =
  | { kind: 'start'; key: string; process: string; index: number; release: number }
  | { kind: 'probe'; key: string }
  | { kind: 'route-add'; key: string; weight?: number }
  | { kind: 'wait-up'; key: string }
  | { kind: 'check-running'; key: string }
  /** A kept server that an interrupted or failed rollout left out of rotation takes traffic again. */
  | { kind: 'route-ready'; containerId: string; serverName: string }
  | { kind: 'drain'; containerId: string; serverName: string }
  | { kind: 'wait-drained'; containerId: string; serverName: string }
  | { kind: 'route-remove'; containerId: string; serverName: string }
  | { kind: 'stop'; containerId: string }
  | { kind: 'remove'; containerId: string }
  /** Blue-green: new (staged, weight 0) servers take all traffic and the old ones drain, in one go. */
  | { kind: 'switch'; enable: string[]; drain: { containerId: string; serverName: string }[] }
  /** Blue-green instant rollback: warm servers go back to ready and the current ones drain. */
  | {
      kind: 'switch-warm';
      enable: { containerId: string; serverName: string }[];
      drain: { containerId: string; serverName: string }[];
    }
  /** Blue-green: once drained, a server goes to maint; its container keeps running (the warm set). */
  | { kind: 'park'; containerId: string; serverName: string };

/** Plans the steps from desired state, the formation's containers and the parked blue-green ones (`warm`). */
export type Planner = (desired: DesiredState, observed: ObservedContainer[], warm: ObservedContainer[]) => DeployStep[];

export function containerKey(process: string, index: number, release: number): string {
  return `${process}.${index}@v${release}`;
}
