/** Source analysis (issue 4): detect how to build and run a directory without a Dockerfile, and write the files. */
export { analyzeSource, analyzeTree, DETECTORS, type AnalyzeOptions } from './analyze.js';
export { generateDockerfile, generateFiles, supportFiles, type GenerateOptions } from './generate/index.js';
export { parseProcfile, type ProcfileEntry } from '../config/procfile.js';
export { directoryTree, memoryTree, type SourceTree } from './read-source.js';
export { parseSlipwayYml, slipwayYmlSchema, type SlipwayYml, type SlipwayYmlInput } from './slipway-yml.js';
export type * from './types.js';
