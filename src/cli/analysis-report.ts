import type { Analysis, Evidence } from '../analyze/index.js';

/** Renders an Analysis for people: each conclusion, then the file:line and reason behind it. Pure. */
export function renderAnalysis(analysis: Analysis): string[] {
  const lines: string[] = [];
  const used = new Set<Evidence>();
  const why = (match: (topic: string) => boolean): string[] => {
    const out: string[] = [];
    for (const e of analysis.evidence) {
      if (!match(e.topic)) continue;
      used.add(e);
      out.push(`      ← ${where(e.file, e.line)}  ${e.reason}`);
    }
    return out;
  };
  const row = (label: string, value: string, ...evidence: string[]) =>
    lines.push(`  ${label.padEnd(16)}${value}`.trimEnd(), ...evidence);
  const v = analysis.runtimeVersion;

  lines.push(
    `${analysis.path === '.' ? 'this directory' : analysis.path}: ` +
      `${[analysis.language, analysis.framework].filter(Boolean).join(' / ')} app`,
  );
  row('language', analysis.language, ...why((t) => t === 'language'));
  row('framework', analysis.framework ?? 'none', ...why((t) => t === 'framework'));
  row(
    'runtime',
    v.runtime === 'none'
      ? 'none'
      : `${v.runtime} ${v.version}${v.requested && v.requested !== v.version ? ` (asked: ${v.requested})` : ''}`,
    `      ← ${v.file ? where(v.file, v.line) : v.source}  ${v.reason}`,
  );
  row('package manager', analysis.packageManager ?? 'none', ...why((t) => t === 'packageManager'));
  row('processes', analysis.processes.length === 0 ? 'none' : '');
  for (const p of analysis.processes)
    lines.push(`    ${p.name}: ${p.command}`, ...why((t) => t === `process:${p.name}`).map((l) => `  ${l}`));
  const needs = analysis.releaseRequires.length ? ` (once ${analysis.releaseRequires.join(' or ')} is set)` : '';
  const release = analysis.releaseCommand ? `${analysis.releaseCommand}${needs}` : 'none';
  row('release', release, ...why((t) => t === 'release'));
  row('build step', analysis.build.command ?? 'none', ...why((t) => t === 'build'));
  row('port', String(analysis.port), ...why((t) => t === 'port'));
  row(
    'health check',
    analysis.healthcheckPath === null ? 'TCP connect' : `GET ${analysis.healthcheckPath}`,
    ...why((t) => t === 'healthcheck'),
  );
  row('services', analysis.services.length === 0 ? 'none' : '');
  for (const s of analysis.services) {
    lines.push(
      `    ${s.name}${s.env.length ? ` (${s.env.join(', ')})` : ''}`,
      ...why((t) => t === `service:${s.name}`).map((l) => `  ${l}`),
    );
  }
  row(
    'os packages',
    `build: ${list(analysis.osPackages.build)}; runtime: ${list(analysis.osPackages.runtime)}`,
    ...why((t) => t === 'osPackages'),
  );
  row('env', analysis.env.length === 0 ? 'none' : '');
  for (const e of analysis.env) {
    const value = e.secret ? ' (secret: set it with config:set)' : e.value !== undefined ? `=${e.value}` : '';
    lines.push(`    ${e.name}${value}`, ...why((t) => t === `env:${e.name}`).map((l) => `  ${l}`));
  }
  const rest = analysis.evidence.filter((e) => !used.has(e));
  if (rest.length > 0) {
    lines.push('  other findings');
    for (const e of rest) lines.push(`    ${e.topic}: ${where(e.file, e.line)}  ${e.reason}`);
  }
  if (analysis.warnings.length > 0) {
    lines.push('warnings:');
    for (const w of analysis.warnings) lines.push(`  ! ${w}`);
  }
  return lines;
}

function where(file: string, line: number | undefined): string {
  return line === undefined ? file : `${file}:${line}`;
}

function list(items: string[]): string {
  return items.length === 0 ? 'none' : items.join(' ');
}
