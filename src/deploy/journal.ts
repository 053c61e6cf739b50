import type { Store } from '../store/store.js';
import type { EventSink } from '../core/events.js';
import { redactDeep } from '../core/redact.js';

/** An event sink that redacts each event, stores it in the deployment's log, then passes it to `forward`. */
export function journalEvents(
  store: Store,
  deploymentId: number,
  redact: (text: string) => string,
  forward: EventSink = () => {},
): EventSink {
  return (event) => {
    const safe = redactDeep(event, redact);
    store.deployments.addEvent(deploymentId, safe);
    forward(safe);
  };
}
