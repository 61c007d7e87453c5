import { type Client, LandedError } from '@landed/client';
import { createContext, createElement, type ReactNode, useContext } from 'react';

const LandedContext = createContext<Client | null>(null);

export interface LandedProviderProps {
  /** The outbox the components below write through and read from. */
  client: Client;
  children?: ReactNode;
}

/** Gives every hook below it this client (a hook given a client argument uses that one instead). */
export function LandedProvider({ client, children }: LandedProviderProps): ReactNode {
  return createElement(LandedContext.Provider, { value: client }, children);
}

/**
 * The client a hook works on: the one passed, else the nearest `LandedProvider`'s.
 * @throws LandedError `NO_CLIENT` when there is neither.
 */
export function useLandedClient(client?: Client): Client {
  const provided = useContext(LandedContext);
  const found = client ?? provided;
  if (!found)
    throw new LandedError(
      'NO_CLIENT',
      'a @landed/react hook found no Landed client: render it inside <LandedProvider client={client}>, or pass the client as the hook’s last argument',
    );
  return found;
}
