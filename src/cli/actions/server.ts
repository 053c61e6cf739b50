import { startServer } from '../../main.js';
import type { CommandRuns } from '../command.js';

export const runs = {
  async server(ctx) {
    const log = (message: string) => ctx.output.out(`${new Date().toISOString()} ${message}`);
    const running = await startServer({ log });
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log(`${signal}: stopping the API (HAProxy keeps serving traffic)`);
        void running.close().then(resolve, resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  },
} satisfies CommandRuns;
