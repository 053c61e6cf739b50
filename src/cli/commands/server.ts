import { startServer } from '../../main.js';
import { type Command } from '../command.js';

export const serverCommand: Command = {
  name: 'server',
  group: 'server',
  options: [],
  examples: ['slipway server'],
  summary: 'run the control plane: API on 127.0.0.1:$SLIPWAY_API_PORT, deploy executor, HAProxy supervisor',
  async run(ctx) {
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
};
