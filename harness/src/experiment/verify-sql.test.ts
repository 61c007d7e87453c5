import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../checker/check.ts';
import type { History } from '../checker/history.ts';
import type { SentWrite } from './payload.ts';
import { viaSql } from './verify-sql.ts';

const PG_URL = process.env.LANDED_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const dir = mkdtempSync(join(tmpdir(), 'landed-verify-sql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sent: SentWrite[] = ['a', 'b', 'c'].map((id, n) => ({
  fields: { writeId: `r-1-${n}`, n, client: 1, run: 'r' },
  body: { id: `r-1-${n}`, sku: id },
}));

/** Every write confirmed: what the SQL rows say decides the verdict. */
function verdictOf(rows: Awaited<ReturnType<typeof viaSql>>) {
  const history: History = sent.flatMap((w, i) => [
    {
      type: 'enqueue' as const,
      at: i,
      client: 'landed',
      writeId: w.fields.writeId,
      payload: w.body as never,
    },
    {
      type: 'verdict' as const,
      at: i + 10,
      client: 'landed',
      writeId: w.fields.writeId,
      verdict: 'confirmed' as const,
    },
  ]);
  return check(history, rows).find((v) => v.client === 'landed');
}

describe('verification by SQL', () => {
  it('reads a SQLite file: a write applied twice, one never applied, one stored with another body', async () => {
    const file = join(dir, 'orders.db');
    const db = new DatabaseSync(file);
    db.exec('CREATE TABLE orders (order_id TEXT, body TEXT, created INTEGER)');
    const insert = db.prepare('INSERT INTO orders VALUES (?, ?, 0)');
    insert.run('r-1-0', JSON.stringify({ ...(sent[0]?.body as object), createdBy: 'server' }));
    insert.run('r-1-0', JSON.stringify(sent[0]?.body));
    insert.run('r-1-2', JSON.stringify({ id: 'r-1-2', sku: 'z' }));
    insert.run('other-run-5', '{}');
    db.close();
    const rows = await viaSql(
      { sqlite: file },
      'SELECT order_id AS writeId, body AS payload FROM orders',
      sent,
    );
    expect(rows.map((r) => r.writeId)).toEqual(['r-1-0', 'r-1-0', 'r-1-2']);
    expect(verdictOf(rows)).toMatchObject({ duplicated: 1, lost: 1, wrongPayload: 1, unexpected: 0 });
  });

  it('reads PostgreSQL directly, with a jsonb payload column', async () => {
    const table = `landed_verify_${process.pid}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`CREATE TABLE ${table} (order_id TEXT, body JSONB)`);
      for (const w of sent)
        await client.query(`INSERT INTO ${table} VALUES ($1, $2)`, [
          w.fields.writeId,
          JSON.stringify(w.body),
        ]);
      const rows = await viaSql(
        { postgres: PG_URL },
        `SELECT order_id AS "writeId", body AS payload FROM ${table}`,
        sent,
      );
      expect(rows).toHaveLength(3);
      expect(verdictOf(rows)).toMatchObject({ lost: 0, duplicated: 0, wrongPayload: 0, passed: true });
    } finally {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    }
  });

  it('says which column is missing when the query returns no writeId', async () => {
    const file = join(dir, 'plain.db');
    const db = new DatabaseSync(file);
    db.exec("CREATE TABLE orders (order_id TEXT); INSERT INTO orders VALUES ('r-1-0')");
    db.close();
    await expect(viaSql({ sqlite: file }, 'SELECT order_id FROM orders', sent)).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringContaining('must return a "writeId" column') as unknown,
    });
  });
});
