/**
 * @landed/react/query — TanStack Query's `useMutation` writing through a Landed outbox: the mutation
 * resolves once the server confirmed the write and fails with a `LandedWriteError` when it was
 * rejected or expired. The outbox owns the write, so it is not lost when the component or the page
 * goes away, and the given query keys are invalidated when it lands, mounted or not.
 */

import type { Client, Entry, Outcome, WriteRequest } from '@landed/client';
import {
  type MutationFunctionContext,
  type QueryClient,
  type QueryKey,
  type UseMutationOptions,
  type UseMutationResult,
  useMutation,
  useQueryClient,
} from '@tanstack/react-query';
import { useLandedClient } from './context.ts';
import { LandedWriteError } from './LandedWriteError.ts';

export { LandedWriteError } from './LandedWriteError.ts';

/** What a mutation written through the outbox resolves with: the confirmed outcome and the entry. */
export interface LandedMutationResult extends Outcome {
  state: 'confirmed';
  id: string;
  key: string;
}

export interface LandedMutationOptions<TVariables> {
  /** The write the mutation's variables become (method, url, body, lane, label). */
  write: (variables: TVariables) => WriteRequest;
  /**
   * Query keys invalidated once the write is confirmed, in the mutation's `QueryClient`: also when
   * the component that started it has unmounted meanwhile. @default none
   */
  invalidates?: QueryKey[] | ((variables: TVariables, result: LandedMutationResult) => QueryKey[]);
  /** Used when the mutation function is not given one (TanStack Query before `mutationFn`'s context). */
  queryClient?: QueryClient;
}

/** The part of `useMutation`'s options that writes through `client`. */
export interface LandedMutation<TVariables> {
  mutationFn: (variables: TVariables, context?: MutationFunctionContext) => Promise<LandedMutationResult>;
  /** Never paused offline by TanStack Query: the write must reach the outbox now, the outbox waits. */
  networkMode: 'always';
  /** The outbox retries, with the same key; a second layer would only write again. */
  retry: false;
}

/**
 * Options to spread into `useMutation`: `useMutation({ ...landedMutation(client, { write }), onSuccess })`.
 * `mutate()` resolves when the write is confirmed; it fails with a `LandedWriteError`
 * (`WRITE_REJECTED`, `WRITE_EXPIRED`) or, if a person discarded it, a `LandedError` `DISCARDED`.
 */
export function landedMutation<TVariables>(
  client: Client,
  options: LandedMutationOptions<TVariables>,
): LandedMutation<TVariables> {
  const { write, invalidates, queryClient } = options;
  return {
    networkMode: 'always',
    retry: false,
    async mutationFn(variables, context) {
      const handle = await client.write(write(variables));
      // Chained on the outcome, which the outbox settles whatever became of the component.
      const outcome = await handle.outcome;
      if (outcome.state !== 'confirmed') throw new LandedWriteError(handle, outcome);
      const result: LandedMutationResult = { ...outcome, state: 'confirmed', id: handle.id, key: handle.key };
      const cache = context?.client ?? queryClient;
      const keys = typeof invalidates === 'function' ? invalidates(variables, result) : (invalidates ?? []);
      if (cache) for (const queryKey of keys) void cache.invalidateQueries({ queryKey });
      return result;
    },
  };
}

export type UseLandedMutationOptions<
  TVariables,
  TOnMutateResult = unknown,
> = LandedMutationOptions<TVariables> &
  Omit<
    UseMutationOptions<LandedMutationResult, Error, TVariables, TOnMutateResult>,
    'mutationFn' | 'networkMode' | 'retry'
  > & {
    /** @default the nearest `LandedProvider`'s */
    client?: Client;
  };

/**
 * `useMutation` writing through the outbox of the nearest `LandedProvider` (or `client`), in the
 * nearest `QueryClientProvider`'s cache. Takes `useMutation`'s options besides `mutationFn`.
 * @throws LandedError `NO_CLIENT` without a client.
 */
export function useLandedMutation<TVariables, TOnMutateResult = unknown>(
  options: UseLandedMutationOptions<TVariables, TOnMutateResult>,
): UseMutationResult<LandedMutationResult, Error, TVariables, TOnMutateResult> {
  const { write, invalidates, client, queryClient, ...rest } = options;
  const found = useLandedClient(client);
  const cache = useQueryClient(queryClient);
  return useMutation(
    {
      ...rest,
      ...landedMutation(found, { write, queryClient: cache, ...(invalidates ? { invalidates } : {}) }),
    },
    cache,
  );
}

/**
 * Invalidates `keysFor(entry)` in `queryClient` whenever this client sees a write confirmed — also a
 * write an earlier page accepted offline that lands after a reload, when no mutation waits for it.
 * Returns the function that stops it.
 */
export function invalidateOnConfirmed(
  client: Client,
  queryClient: QueryClient,
  keysFor: (entry: Entry) => QueryKey[] | undefined,
): () => void {
  return client.on('confirmed', (entry) => {
    for (const queryKey of keysFor(entry) ?? []) void queryClient.invalidateQueries({ queryKey });
  });
}
