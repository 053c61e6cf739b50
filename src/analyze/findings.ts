import { SERVICE_ENV_NAMES, SERVICE_ORDER, SERVICE_SPECS } from './services.js';
import type { BackingService, EnvVar, Evidence, ServiceName } from './types.js';

/** Accumulates conclusions and their evidence while detectors run; `services()` / `env()` finalize them. */
export class Findings {
  readonly evidence: Evidence[] = [];
  readonly warnings: string[] = [];
  /** Warnings that hold only for one runtime choice (`runtime: debian` lacks a package version, …). */
  readonly runtimeWarnings: Record<'official' | 'debian', string[]> = { official: [], debian: [] };
  private readonly serviceNames = new Set<ServiceName>();
  private readonly envVars = new Map<string, EnvVar>();

  note(topic: string, file: string, reason: string, line?: number): void {
    const item: Evidence = { topic, file, ...(line === undefined ? {} : { line }), reason };
    if (!this.evidence.some((e) => e.topic === topic && e.file === file && e.line === line && e.reason === reason)) {
      this.evidence.push(item);
    }
  }

  /** Drops the evidence for a topic (a Procfile entry replaces a detected default). */
  forget(topic: string): void {
    for (let i = this.evidence.length - 1; i >= 0; i--)
      if (this.evidence[i]?.topic === topic) this.evidence.splice(i, 1);
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** A warning that matters only when the image is built with that runtime. */
  warnFor(runtime: 'official' | 'debian', message: string): void {
    const list = this.runtimeWarnings[runtime];
    if (!list.includes(message)) list.push(message);
  }

  service(name: ServiceName, file: string, reason: string, line?: number): void {
    this.serviceNames.add(name);
    this.note(`service:${name}`, file, reason, line);
  }

  hasService(name: ServiceName): boolean {
    return this.serviceNames.has(name);
  }

  /** Records an env var the app expects. A later call may add a value but never removes one. */
  envVar(
    name: string,
    file: string,
    reason: string,
    options: { value?: string; secret?: boolean; line?: number } = {},
  ): void {
    const existing = this.envVars.get(name);
    const next: EnvVar = { name };
    const value = existing?.value ?? options.value;
    if (value !== undefined) next.value = value;
    if (existing?.secret || options.secret) next.secret = true;
    this.envVars.set(name, next);
    this.note(`env:${name}`, file, reason, options.line);
  }

  hasEnv(name: string): boolean {
    return this.envVars.has(name);
  }

  /** Services in a stable order; each lists the env vars the app reads for it (or the conventional one). */
  services(): BackingService[] {
    const sql = SERVICE_ORDER.filter((s) => (s === 'postgres' || s === 'mysql') && this.serviceNames.has(s));
    return SERVICE_ORDER.filter((s) => this.serviceNames.has(s)).map((name) => {
      const read = [...this.envVars.keys()].filter((env) => {
        const target = SERVICE_ENV_NAMES[env];
        return target === name || (target === 'database' && sql[0] === name);
      });
      return { name, env: read.length > 0 ? read.sort() : [SERVICE_SPECS[name].defaultEnv] };
    });
  }

  /** Env vars sorted by name, including each service's conventional variable. */
  env(): EnvVar[] {
    for (const service of this.services()) {
      for (const name of service.env) {
        if (!this.envVars.has(name))
          this.envVar(name, this.evidenceFileFor(service.name), `connection to the ${service.name} service`);
      }
    }
    return [...this.envVars.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private evidenceFileFor(service: ServiceName): string {
    return this.evidence.find((e) => e.topic === `service:${service}`)?.file ?? '';
  }
}
