import type { DetectedApp, DetectorContext, LanguageDetector } from './detector.js';

export const staticDetector: LanguageDetector = {
  language: 'static',
  markers: ['index.html', 'public/index.html'],
  async analyze(ctx: DetectorContext): Promise<DetectedApp> {
    const { files, findings } = ctx;
    const root = (await files.exists('index.html')) ? '.' : 'public';
    const index = root === '.' ? 'index.html' : 'public/index.html';
    findings.note('language', files.display(index), 'static site: index.html and no language manifest');
    findings.note(
      'process:web',
      files.display(index),
      `serves ${root === '.' ? 'the app directory' : 'public/'} with busybox httpd`,
    );
    findings.note('port', files.display(index), 'busybox httpd listens on PORT (default 8080); Slipway sets PORT');
    findings.note('healthcheck', files.display(index), 'index.html: HTTP check GET /');
    return {
      framework: null,
      runtimeVersion: {
        runtime: 'none',
        requested: null,
        version: '',
        source: 'default',
        reason: 'static files need no language runtime',
      },
      packageManager: null,
      processes: [
        {
          name: 'web',
          command: `busybox httpd -f -p $PORT -h /app${root === '.' ? '' : '/public'}`,
          source: 'convention',
        },
      ],
      port: 8080,
      releaseCommand: null,
      osPackages: { build: [], runtime: [] },
      dependencies: [],
      healthcheckPath: '/',
      build: { manifests: [], localPackages: [], offline: true, staticRoot: root },
    };
  },
};
