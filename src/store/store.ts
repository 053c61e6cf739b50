import { openDatabase, type Db } from './database.js';
import { SecretBox } from './secret-box.js';
import { AppRepository } from './app-repository.js';
import { ReleaseRepository } from './release-repository.js';
import { DeploymentRepository } from './deployment-repository.js';
import { RouteRepository } from './route-repository.js';
import { BuildRecordRepository } from './build-record-repository.js';
import { DomainRepository } from './domain-repository.js';
import { CertificateRepository } from './certificate-repository.js';
import { LogRepository } from './log-repository.js';
import { WarmSetRepository } from './warm-set-repository.js';
import { DynoCrashRepository } from './dyno-crash-repository.js';
import { StoppedProcessRepository } from './stopped-process-repository.js';
import { CronRepository } from './cron-repository.js';
import { MaintenanceRepository } from './maintenance-repository.js';
import { RouterLogRepository } from './router-log-repository.js';
import { AppRenameRepository } from './app-rename-repository.js';
import { BuildCaRepository } from './build-ca-repository.js';
import { RegistryLoginRepository } from './registry-login-repository.js';
import { UserRepository } from './user-repository.js';
import { SshKeyRepository } from './ssh-key-repository.js';
import { AuditRepository } from './audit-repository.js';
import { HookRepository } from './hook-repository.js';
import { GitCredentialRepository } from './git-credential-repository.js';

export interface Store {
  db: Db;
  apps: AppRepository;
  releases: ReleaseRepository;
  deployments: DeploymentRepository;
  routes: RouteRepository;
  buildRecords: BuildRecordRepository;
  domains: DomainRepository;
  certificates: CertificateRepository;
  logs: LogRepository;
  warmSets: WarmSetRepository;
  dynoCrashes: DynoCrashRepository;
  stoppedProcesses: StoppedProcessRepository;
  cron: CronRepository;
  maintenance: MaintenanceRepository;
  routerLogs: RouterLogRepository;
  renames: AppRenameRepository;
  buildCa: BuildCaRepository;
  registryLogins: RegistryLoginRepository;
  users: UserRepository;
  sshKeys: SshKeyRepository;
  audit: AuditRepository;
  hooks: HookRepository;
  gitCredentials: GitCredentialRepository;
  close(): void;
}

export function openStore(file: string, secretKey: Buffer): Store {
  const db = openDatabase(file);
  const box = new SecretBox(secretKey);
  return {
    db,
    apps: new AppRepository(db, box),
    releases: new ReleaseRepository(db, box),
    deployments: new DeploymentRepository(db),
    routes: new RouteRepository(db),
    buildRecords: new BuildRecordRepository(db),
    domains: new DomainRepository(db),
    certificates: new CertificateRepository(db, box),
    logs: new LogRepository(db),
    warmSets: new WarmSetRepository(db),
    dynoCrashes: new DynoCrashRepository(db),
    stoppedProcesses: new StoppedProcessRepository(db),
    cron: new CronRepository(db),
    maintenance: new MaintenanceRepository(db),
    routerLogs: new RouterLogRepository(db),
    renames: new AppRenameRepository(db),
    buildCa: new BuildCaRepository(db),
    registryLogins: new RegistryLoginRepository(db, box),
    users: new UserRepository(db),
    sshKeys: new SshKeyRepository(db),
    audit: new AuditRepository(db),
    hooks: new HookRepository(db, box),
    gitCredentials: new GitCredentialRepository(db, box),
    close: () => db.close(),
  };
}
