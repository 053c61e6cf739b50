import type { Findings } from '../findings.js';
import type { ProcfileEntry } from '../../config/procfile.js';
import type { AppFiles } from '../read-source.js';
import type { BuildFacts, Framework, Language, PackageManager, ProcessType, RuntimeVersion } from '../types.js';

/** Everything a language strategy may look at. */
export interface DetectorContext {
  files: AppFiles;
  /** Environment used for version overrides (SLIPWAY_NODE_VERSION, …); never the host's tool versions. */
  env: Record<string, string | undefined>;
  findings: Findings;
  /** The parsed Procfile, when there is one (detectors use it to avoid guessing what it already says). */
  procfile?: ProcfileEntry[];
}

/** What a language strategy concludes; analyze.ts merges it with the Procfile and the findings. */
export interface DetectedApp {
  framework: Framework | null;
  runtimeVersion: RuntimeVersion;
  packageManager: PackageManager | null;
  /** Default process types (framework default / start script / main), web first. */
  processes: ProcessType[];
  port: number;
  releaseCommand: string | null;
  /** Config vars of which one must be set for the release command to run; empty = always. */
  releaseRequires?: string[];
  osPackages: { build: string[]; runtime: string[] };
  dependencies: string[];
  /** null = TCP check. */
  healthcheckPath: string | null;
  build: BuildFacts;
}

export interface LanguageDetector {
  language: Language;
  /** App-relative files whose presence identifies the language, strongest first. */
  markers: string[];
  analyze(ctx: DetectorContext): Promise<DetectedApp>;
}

/** Only the manifests that exist, in the given order. */
export async function existing(files: AppFiles, names: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const name of names) {
    if (await files.isFile(name)) found.push(name);
  }
  return found;
}
