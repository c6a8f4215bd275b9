import { afterEach, describe, expect, it } from 'vitest';

import { openSqlite } from '../../src/store/index.js';

describe('openSqlite', () => {
  let connection: ReturnType<typeof openSqlite> | undefined;

  afterEach(() => {
    connection?.close();
    connection = undefined;
  });

  it('runs a reused statement with new parameters each time, and any number of distinct statements', () => {
    connection = openSqlite(':memory:');
    connection.prepare('CREATE TABLE counts (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)').run([]);
    const insert = 'INSERT INTO counts (id, n) VALUES (?, ?)';
    for (let id = 1; id <= 3; id += 1) connection.prepare(insert).run([id, id * 10]);
    // More distinct texts than the statement cache holds: the cache starts again and nothing is mixed up.
    for (let offset = 0; offset < 300; offset += 1) {
      const rows = connection.prepare(`SELECT n + ${offset} AS total FROM counts WHERE id = ?`).all([2]);
      expect(rows).toEqual([{ total: 20 + offset }]);
    }
    const update = connection.prepare('UPDATE counts SET n = n + ? WHERE id = ?').run([5, 1]);
    expect(update.changes).toBe(1);
    expect(connection.prepare('SELECT id, n FROM counts ORDER BY id').all([])).toEqual([
      { id: 1, n: 15 },
      { id: 2, n: 20 },
      { id: 3, n: 30 },
    ]);
    // Dates and booleans are still converted on a statement that was prepared before.
    connection.prepare('CREATE TABLE marks (at TEXT, flag INTEGER)').run([]);
    const mark = 'INSERT INTO marks (at, flag) VALUES (?, ?)';
    connection.prepare(mark).run([new Date('2026-01-02T03:04:05.000Z'), true]);
    connection.prepare(mark).run([new Date('2026-02-03T04:05:06.000Z'), false]);
    expect(connection.prepare('SELECT at, flag FROM marks ORDER BY at').all([])).toEqual([
      { at: '2026-01-02T03:04:05.000Z', flag: 1 },
      { at: '2026-02-03T04:05:06.000Z', flag: 0 },
    ]);
  });
});
