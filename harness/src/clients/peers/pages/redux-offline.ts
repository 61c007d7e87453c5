/**
 * `@redux-offline/redux-offline` in a Chromium page, exactly as its readme sets it up
 * (https://github.com/redux-offline/redux-offline#quick-start): `offline(offlineConfig)` with the
 * library's defaults (`lib/defaults`) — the default `effect` (fetch), `discard` (give up on anything
 * but a 5xx answer, including a network error), `retry` (1 s, 5 s, 15 s, 30 s, 1 min, … then give up),
 * redux-persist 4 into localStorage, the browser's online events. Each museum write is one action with
 * `meta.offline` { effect, commit, rollback }; commit tells the app it landed, rollback that it did not.
 *
 * The library has no idempotency key and makes none; nothing here adds one (an app could put a
 * header in the effect, but redux-offline neither makes nor documents it). The default effect is
 * wrapped only to see each attempt; what it does is unchanged.
 */
import { offline } from '@redux-offline/redux-offline';
import defaults from '@redux-offline/redux-offline/lib/defaults';
import { type Action, legacy_createStore as createStore, type StoreEnhancer } from 'redux';
import type { PlannedWrite } from '../../workload.ts';
import { expose, kind, paced, principal, receiptOf, record, resultOf, settled } from './page-harness.ts';

interface WriteAction extends Action<string> {
  payload?: unknown;
  meta: { writeId: string };
}

// A CommonJS module: under Node's interop (a `"type": "module"` package) the default import is
// `module.exports`, whose `default` is the config.
const offlineConfig = ((defaults as unknown as { default?: typeof defaults }).default ??
  defaults) as typeof defaults;

type Effect = typeof offlineConfig.effect;

const observed: Effect = (effect, action) => {
  const writeId = (action as unknown as WriteAction).meta.writeId;
  const attempt = { type: 'attempt', client: kind, writeId } as const;
  return offlineConfig.effect(effect, action).then(
    (body: unknown) => {
      record({ ...attempt, at: Date.now(), result: 'ok' });
      return body;
    },
    (error: unknown) => {
      const status = (error as { status?: unknown }).status;
      record({
        ...attempt,
        at: Date.now(),
        ...(typeof status === 'number' ? { result: resultOf(status), status } : { result: 'info' }),
      });
      throw error;
    },
  );
};

/**
 * Tells the app what became of each write, as a component would from the commit and rollback
 * actions. Seen where every action arrives — the root reducer — since the library dispatches them
 * inside its own enhancer, past the app's middleware.
 */
function observe(action: Action<string>): void {
  const a = action as WriteAction;
  if (a.type === 'WRITE_COMMIT') {
    const receipt = receiptOf(a.payload);
    record({
      type: 'verdict',
      at: Date.now(),
      client: kind,
      writeId: a.meta.writeId,
      verdict: 'confirmed',
      ...(receipt === undefined ? {} : { receipt }),
    });
  } else if (a.type === 'WRITE_ROLLBACK')
    record({ type: 'verdict', at: Date.now(), client: kind, writeId: a.meta.writeId, verdict: 'rejected' });
}

const writes = (state: string[] = [], action: Action<string>): string[] =>
  action.type === 'WRITE' ? [...state, (action as WriteAction).meta.writeId] : state;

const store = createStore(
  (state: { writes: string[] } | undefined, action: Action<string>) => {
    observe(action);
    return { ...state, writes: writes(state?.writes, action) };
  },
  undefined,
  // Its types are written for redux 4's createStore; the enhancer works on redux 5's.
  offline({ ...offlineConfig, effect: observed }) as unknown as StoreEnhancer,
);

async function accept(w: PlannedWrite): Promise<void> {
  const meta = { writeId: w.writeId };
  store.dispatch({
    type: 'WRITE',
    meta: {
      ...meta,
      offline: {
        effect: {
          url: `/api${w.path}`,
          method: 'POST',
          json: w.body,
          headers: { authorization: `Bearer ${principal}` },
        },
        commit: { type: 'WRITE_COMMIT', meta },
        rollback: { type: 'WRITE_ROLLBACK', meta },
      },
    },
  } as WriteAction);
  record({ type: 'enqueue', at: Date.now(), client: kind, writeId: w.writeId, payload: w.body });
}

expose({ run: (list, spreadMs) => paced(list, spreadMs, accept), drain: settled });
