import type { Reporter } from '../output/reporter.js';
import type { StateBackend } from '../state/backend.js';
import { StateStore, type StoreOptions } from '../state/store.js';

type StateDocumentOrNull = ConstructorParameters<typeof StateStore>[1];

/**
 * Makes the run's state store: the one fold of its events (src/run/reduce.ts), written through the
 * backend. Reporters that report the outcome (CI summaries, outputs) follow that store's document
 * rather than folding the events again. `stored` is what the backend holds when `doc` is not it.
 */
export function storeFactory(
  backend: StateBackend,
  reporter: Reporter,
  options: StoreOptions,
): (doc: StateDocumentOrNull, stored?: StateDocumentOrNull) => StateStore {
  return (doc, stored) => {
    const store = new StateStore(backend, doc, options, stored === undefined ? doc : stored);
    reporter.follow?.(() => store.document);
    return store;
  };
}
