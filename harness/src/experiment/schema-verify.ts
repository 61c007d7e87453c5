/** How an experiment file says its effects are read: a GET route per write, a SQL query, or the ledger. */
import type { Verification } from './Experiment.ts';
import { allowOnly, object, type Path, routePath, SchemaError, string } from './schema-values.ts';

const VERIFY_HELP =
  'needs one of "get: /orders/{{writeId}}" (a route answering 200 with the stored body or 404), "sql: { sqlite: FILE | postgres: URL, query: ... }" or "ledger: true" (GET /_chaos/ledger)';

export function verification(value: unknown, at: Path): Verification {
  if (value === undefined) throw new SchemaError(at, VERIFY_HELP);
  const o = object(value, at);
  allowOnly(o, at, ['get', 'sql', 'ledger']);
  if (Object.keys(o).length > 1)
    throw new SchemaError(at, 'give one of "get", "sql" and "ledger", not several');
  if (o.get !== undefined) return { kind: 'get', path: routePath(o.get, [...at, 'get']) };
  if (o.sql !== undefined) return sqlVerification(o.sql, [...at, 'sql']);
  if (o.ledger === true) return { kind: 'ledger' };
  throw new SchemaError(at, VERIFY_HELP);
}

function sqlVerification(value: unknown, at: Path): Verification {
  const o = object(value, at);
  allowOnly(o, at, ['sqlite', 'postgres', 'query']);
  const query = string(o.query, [...at, 'query']);
  if (o.sqlite !== undefined && o.postgres === undefined)
    return { kind: 'sql', database: { sqlite: string(o.sqlite, [...at, 'sqlite']) }, query };
  if (o.postgres !== undefined && o.sqlite === undefined) {
    const url = string(o.postgres, [...at, 'postgres']);
    if (!/^postgres(ql)?:\/\//.test(url))
      throw new SchemaError([...at, 'postgres'], `must be a postgres:// connection string, got "${url}"`);
    return { kind: 'sql', database: { postgres: url }, query };
  }
  throw new SchemaError(
    at,
    'needs one of "sqlite: FILE" and "postgres: URL" (the database the target writes to)',
  );
}
