/**
 * The museum flow from the pen-pairing story, as the reference app's write API: buy a ticket, pair a
 * pen with it, collect objects with the pen. Each write appends one ledger row and answers with its
 * row id as `receipt`, so a replay that answers with another row is caught.
 */
export const ROUTES = {
  '/tickets': 'buy-ticket',
  '/pens/pair': 'pair-pen',
  '/collections': 'collect-object',
} as const;

export type MuseumPath = keyof typeof ROUTES;
export type MuseumOp = (typeof ROUTES)[MuseumPath];

export function opOf(path: string): MuseumOp | undefined {
  const pathname = path.split('?')[0] as string;
  return (ROUTES as Record<string, MuseumOp | undefined>)[pathname];
}

/** What every write body carries: the id that lets the Checker match ledger rows to writes. */
export interface MuseumWrite {
  writeId: string;
  visitor: string;
  [field: string]: string | number;
}

export function isMuseumWrite(body: unknown): body is MuseumWrite {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as MuseumWrite).writeId === 'string' &&
    typeof (body as MuseumWrite).visitor === 'string'
  );
}

/** The principal is the bearer token: the reference app's stand-in for authentication. */
export function principalFrom(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1] ?? 'anonymous';
}
