import type { SlipwayEvent } from '../core/events.js';
import { fromBody, type StreamLine } from './api-client.js';
import { progressRenderer } from './reporter.js';
import type { CommandContext } from './command.js';

/** Renders a streamed operation's events and returns its result (throws its error). */
export async function followOperation(ctx: CommandContext, lines: AsyncIterable<StreamLine>): Promise<unknown> {
  const render = progressRenderer(ctx.output, !ctx.json);
  const events: SlipwayEvent[] = [];
  for await (const line of lines) {
    if (line.type === 'event') {
      events.push(line.event as SlipwayEvent);
      if (!ctx.json) render(line.event as SlipwayEvent);
    } else if (line.type === 'error') {
      const err = fromBody(line.error);
      Object.assign(err, { events });
      throw err;
    } else if (line.type === 'result') {
      if (ctx.json) ctx.output.out(JSON.stringify({ result: line.result, events }, null, 2));
      return line.result;
    }
  }
  throw new Error('the server closed the stream before the operation finished');
}
