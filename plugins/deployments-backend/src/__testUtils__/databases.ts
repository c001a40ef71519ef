import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';

/**
 * The PostgreSQL database of the store tests, from the server `./portal test`
 * starts (its connection string is in
 * BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING). Without one
 * this fails instead of silently testing SQLite only.
 */
export function postgresId(): TestDatabaseId {
  const key = Object.keys(process.env).find(k =>
    /^BACKSTAGE_TEST_DATABASE_POSTGRES\d+_CONNECTION_STRING$/.test(k),
  );
  if (!key) {
    throw new Error(
      'No PostgreSQL for the store tests: run them through ./portal test, or set BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING',
    );
  }
  return `POSTGRES_${key.match(/POSTGRES(\d+)/)![1]}` as TestDatabaseId;
}

/** SQLite always, and PostgreSQL: the databases every store test runs on. */
export function storeTestDatabases(): {
  ids: TestDatabaseId[];
  databases: TestDatabases;
} {
  const ids: TestDatabaseId[] = ['SQLITE_3', postgresId()];
  return { ids, databases: TestDatabases.create({ ids, disableDocker: true }) };
}
