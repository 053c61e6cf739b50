import type { Store } from '../store/store.js';
import { resourceLimitsFor, type BuildSource, type Formation, type ResourceLimits } from '../core/types.js';
import type { DomainEntry } from '../domains/domain-service.js';
import type { Slipway } from '../slipway.js';
import type { ProcessRow } from './process-service.js';
import type { MaintenanceView } from './maintenance-service.js';
import { appUrls, type AppUrl, type RouterPorts } from './app-urls.js';

/** `apps:info`: everything about an app on one page. */
export interface AppInfo {
  name: string;
  createdAt: string;
  urls: AppUrl[];
  release: ReleaseSummary | null;
  formation: Formation;
  /** Containers by state (`running: 2`), from the engine. */
  processes: { total: number; byState: Record<string, number> };
  settings: {
    port: number;
    healthcheck: string;
    strategy: string;
    drainTimeoutMs: number;
    stopGraceSec: number;
  };
  /** Effective limits of each process type in the formation. */
  resources: Record<string, ResourceLimits>;
  domains: DomainEntry[];
  certificate: { names: string[]; notAfter: string; expiresInDays: number; hosts: string[] } | null;
  maintenance: MaintenanceView;
  renamedFrom?: { name: string; at: string; relabelled: boolean };
  problems: string[];
}

export interface ReleaseSummary {
  version: number;
  status: string;
  description: string;
  createdAt: string;
  createdBy: string;
  image: string;
  imageId: string;
  source: BuildSource;
  /** The build record behind it (a source build), with its commit. */
  build?: { id: string; commit?: string; branch?: string; dirty?: boolean };
}

export interface AppInfoDeps {
  store: Store;
  ports: RouterPorts;
  /** The services the report reads (resolved when asked: they are wired next to this one). */
  services: () => Pick<Slipway, 'apps' | 'processes' | 'domains' | 'certs' | 'maintenance'>;
  now?: () => Date;
}

/** Assembles `apps:info` from the store, the engine and the other services (read only). */
export class AppInfoService {
  constructor(private readonly deps: AppInfoDeps) {}

  async info(name: string): Promise<AppInfo> {
    const { store } = this.deps;
    const services = this.deps.services();
    const app = store.apps.get(name);
    const formation = store.apps.formation(app.name);
    const rows = await services.processes.list(app.name).catch(() => [] as ProcessRow[]);
    const byState: Record<string, number> = {};
    for (const row of rows) byState[row.state] = (byState[row.state] ?? 0) + 1;
    const cert = services.certs.show(app.name);
    const now = (this.deps.now?.() ?? new Date()).getTime();
    const maintenance = services.maintenance.status(app.name);
    const rename = store.renames.latest(app.name);
    const s = app.settings;
    return {
      name: app.name,
      createdAt: app.createdAt,
      urls: appUrls(store, this.deps.ports, app.name),
      release: this.release(app.name, app.currentRelease),
      formation,
      processes: { total: rows.length, byState },
      settings: {
        port: s.port,
        healthcheck: s.healthcheck.path ? `GET ${s.healthcheck.path}` : 'TCP connect',
        strategy: s.strategy,
        drainTimeoutMs: s.drainTimeoutMs,
        stopGraceSec: s.stopGraceSec,
      },
      resources: Object.fromEntries(Object.keys(formation).map((type) => [type, resourceLimitsFor(s, type)])),
      domains: services.domains.list(app.name),
      certificate: cert
        ? {
            names: cert.names,
            notAfter: cert.notAfter,
            expiresInDays: Math.floor((Date.parse(cert.notAfter) - now) / 86_400_000),
            hosts: cert.hosts,
          }
        : null,
      maintenance,
      ...(rename
        ? {
            renamedFrom: { name: rename.formerName, at: rename.startedAt, relabelled: rename.finishedAt !== undefined },
          }
        : {}),
      problems: [
        ...services.apps.problems(app.name),
        ...(maintenance.problem ? [maintenance.problem] : []),
        ...(rename && !rename.finishedAt && rename.error
          ? [`containers still carry the name ${rename.formerName}: ${rename.error.message} (retrying)`]
          : []),
      ],
    };
  }

  private release(app: string, version: number | null): ReleaseSummary | null {
    if (version === null) return null;
    const { store } = this.deps;
    const release = store.releases.get(app, version);
    const build = store.releases.build(release.buildId);
    const record = store.buildRecords.forBuild(build.id);
    return {
      version,
      status: release.status,
      description: release.description,
      createdAt: release.createdAt,
      createdBy: release.createdBy,
      image: build.imageRef,
      imageId: build.imageId,
      source: build.source,
      ...(record
        ? {
            build: {
              id: record.id,
              ...(record.source.commit ? { commit: record.source.commit } : {}),
              ...(record.source.branch ? { branch: record.source.branch } : {}),
              ...(record.source.dirty !== undefined ? { dirty: record.source.dirty } : {}),
            },
          }
        : {}),
    };
  }
}
