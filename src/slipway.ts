import type { AuthService } from './auth/auth-service.js';
import type { ImagePuller } from './registry/image-puller.js';
import type { ContainerEngine } from './engine/port.js';
import type { AppRoute, Router } from './router/port.js';
import type { Store } from './store/store.js';
import type { SlipwayEnvironment, SlipwayPaths } from './config/environment.js';
import type { DeployService } from './deploy/deploy-service.js';
import type { BuildService } from './image-build/build-service.js';
import type { AppService } from './apps/app-service.js';
import type { HistoryService } from './apps/history-service.js';
import type { ProcessService } from './apps/process-service.js';
import type { LogService } from './logs/log-service.js';
import type { DomainService } from './domains/domain-service.js';
import type { PasswordLogin } from './auth/passwords.js';
import type { PlatformCertificateService } from './domains/platform-certificate.js';
import type { CertificateService } from './domains/certificate-service.js';
import type { RunService } from './runs/run-service.js';
import type { ExecService } from './runs/exec-service.js';
import type { ProcessControl } from './deploy/process-control.js';
import type { CronService } from './jobs/cron-service.js';
import type { MaintenanceService } from './apps/maintenance-service.js';
import type { AppRenameService } from './apps/app-rename.js';
import type { AppInfoService } from './apps/app-info.js';
import type { RouterLogService } from './logs/router-log-service.js';
import type { AccessLogReader } from './router/access-log-reader.js';
import type { NodeService } from './nodes/node-service.js';
import type { SwarmMode } from './nodes/swarm-mode.js';
import type { HookService } from './hooks/hook-service.js';
import type { GitPush } from './git/git-push.js';
import type { SshKeyService } from './git/ssh-keys.js';

/**
 * Everything a running Slipway server is made of, wired once by the composition root (createSlipway
 * in main.ts). Only types here: the HTTP routes depend on this file, never on main.ts. Routes call the
 * services; the ports (store, engine, router) are here for the composition root's own start-up work.
 */
export interface Slipway {
  env: SlipwayEnvironment;
  paths: SlipwayPaths;
  store: Store;
  engine: ContainerEngine;
  router: Router;
  deploys: DeployService;
  builds: BuildService;
  apps: AppService;
  history: HistoryService;
  processes: ProcessService;
  logs: LogService;
  domains: DomainService;
  certs: CertificateService;
  /** The remote API host's certificate. */
  platformCerts: PlatformCertificateService;
  /** User passwords and `slipway login` with one. */
  passwords: PasswordLogin;
  runs: RunService;
  /** Commands inside running containers (`ps:exec`). */
  execs: ExecService;
  /** `ps:stop` / `ps:start` of process types and one-offs. */
  processControl: ProcessControl;
  /** Scheduled one-off jobs and the scheduler that runs them. */
  cron: CronService;
  /** Maintenance mode: the router answers 503 itself, the containers keep running. */
  maintenance: MaintenanceService;
  /** `apps:rename`, and the relabelling restarts it resumes. */
  renames: AppRenameService;
  /** `apps:info`. */
  info: AppInfoService;
  /** The router's access log per app (`logs --source router`), fed by `accessLog`. */
  routerLogs: RouterLogService;
  /** Follows HAProxy's access log ring (started before HAProxy is adopted at start-up). */
  accessLog: AccessLogReader;
  /** `nodes:*`: the servers of this installation (one host until a second is added; then a Swarm). */
  nodes: NodeService;
  /** Swarm mode: the registry and the Swarm engine, entered when this installation's engine is a manager. */
  swarm: SwarmMode;
  /** Registry logins and pulls for `deploy --image REGISTRY/NAME:TAG`. */
  registries: ImagePuller;
  /** Users, roles, tokens and app access. */
  auth: AuthService;
  /** CI webhooks: deliveries checked, recorded, and pushes to a hook's branch fetched, built and deployed. */
  hooks: HookService;
  /** git push over HTTP and SSH: repositories, the pre-receive hook's socket, builds followed by builds:attach. */
  git: GitPush;
  /** Users' SSH public keys (`keys:*`), looked up by the SSH server. */
  keys: SshKeyService;
  /** Moves the processes still running as plain containers onto Swarm services (one move at a time). */
  moveToSwarm: () => Promise<unknown>;
  /** What HAProxy should serve, from the store: every app with its hosts, check, servers and certificate. */
  desiredRoutes(): AppRoute[];
  /** Brings the router's backends, hosts and certificates in line with desiredRoutes(). */
  syncRouter(): Promise<void>;
}
