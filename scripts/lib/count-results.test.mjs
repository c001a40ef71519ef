// Self-test of the counting behind the closing "N passed, N failed" line:
// small fixture suites (passing, failing, timing out, empty, skipped, flaky)
// run through the real runners (node:test, Jest, Playwright without a
// browser) and through count-results.mjs, as ./portal test runs them. Every
// fixture but the passing one must turn its figures red.
//
//   node --test scripts/lib/count-results.test.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMinimum, countReport, readMinimums } from './count-results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const fixtures = join(here, '__fixtures__/counting');
const work = mkdtempSync(join(tmpdir(), 'counting-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(command, args, env = {}) {
  // A node:test child would report to this runner instead of its own reporter.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const result = spawnSync(command, args, {
    cwd: repo,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.notEqual(result.status, null, `${command} did not finish`);
  return result.status;
}

function readOrUndefined(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Runs one node:test fixture (undefined: a pattern that matches nothing). */
function nodeTest(name) {
  const report = join(work, `node-${name}.tap`);
  const target = join(fixtures, 'node-test', `${name}.fixture.mjs`);
  const status = run(process.execPath, [
    '--test',
    '--test-reporter=tap',
    `--test-reporter-destination=${report}`,
    target,
  ]);
  return countReport('node-test', readOrUndefined(report), status);
}

function jest(name) {
  const report = join(work, `jest-${name}.json`);
  const config = {
    rootDir: join(fixtures, 'jest'),
    testMatch: [`**/${name}.fixture.js`],
    testEnvironment: 'node',
    transform: {},
  };
  const status = run(process.execPath, [
    join(repo, 'node_modules/jest/bin/jest.js'),
    '--ci',
    '--config',
    JSON.stringify(config),
    '--json',
    `--outputFile=${report}`,
  ]);
  return countReport('jest', readOrUndefined(report), status);
}

function playwright(name) {
  const report = join(work, `playwright-${name}.json`);
  const status = run(
    process.execPath,
    [
      join(repo, 'node_modules/@playwright/test/cli.js'),
      'test',
      '--config',
      join(fixtures, 'playwright/playwright.config.mjs'),
    ],
    {
      COUNTING_FIXTURE: `${name}.fixture.mjs`,
      COUNTING_OUTPUT_DIR: join(work, `playwright-${name}`),
      PLAYWRIGHT_JSON_OUTPUT_NAME: report,
    },
  );
  return countReport('playwright', readOrUndefined(report), status);
}

const RUNNERS = { 'node:test': nodeTest, jest, playwright };

for (const [runner, runFixture] of Object.entries(RUNNERS)) {
  describe(`${runner} through count-results`, () => {
    test('a passing suite is green', () => {
      const result = runFixture('passing');
      assert.deepEqual(
        { passed: result.passed, failed: result.failed },
        { passed: 1, failed: 0 },
        result.reasons.join('; '),
      );
    });

    test('a failing test turns it red', () => {
      const result = runFixture('failing');
      assert.equal(result.passed, 1);
      assert.ok(result.failed >= 1, 'a failing test must count as failed');
    });

    test('a test that times out turns it red', () => {
      const result = runFixture('timeout');
      assert.ok(result.failed >= 1, `timed out, yet ${result.failed} failed`);
    });

    test('skipped and todo tests turn it red', () => {
      const result = runFixture('skipped');
      assert.ok(result.failed >= 1, 'a skipped test must not read as green');
      assert.match(result.reasons.join('; '), /skipped/);
    });

    test('a suite that finds no tests turns it red', () => {
      const result = runFixture('absent');
      assert.ok(result.failed >= 1, 'an empty run must not read as green');
    });
  });
}

test('a flaky Playwright test (passed only on its retry) turns it red', () => {
  const result = playwright('flaky');
  assert.equal(result.passed, 0);
  assert.ok(result.failed >= 1);
  assert.match(result.reasons.join('; '), /flaky/);
});

test('a non-zero exit of the runner turns green figures red', () => {
  const report = readOrUndefined(join(work, 'node-passing.tap'));
  assert.ok(report, 'the passing node:test fixture ran first');
  const result = countReport('node-test', report, 1);
  assert.equal(result.failed, 1);
  assert.match(result.reasons.join('; '), /exited with 1/);
});

test('a missing or broken report counts as one failure', () => {
  assert.equal(countReport('jest', undefined, 0).failed, 1);
  assert.equal(countReport('playwright', '{"stats":', 0).failed, 1);
  assert.equal(countReport('node-test', 'TAP version 13\n', 0).failed, 1);
});

test('a suite below its minimum fails, saying which and by how much', () => {
  const result = checkMinimum(
    { passed: 40, failed: 0, total: 40, reasons: [] },
    'system',
    { system: 100 },
  );
  assert.equal(result.failed, 1);
  assert.match(result.reasons[0], /ran 40 tests, 60 fewer than its minimum/);
  assert.equal(
    checkMinimum(
      { passed: 100, failed: 0, total: 100, reasons: [] },
      'system',
      {
        system: 100,
      },
    ).failed,
    0,
  );
});

test('every suite of ./portal test has a minimum', () => {
  const minimums = readMinimums();
  for (const suite of ['jest', 'system', 'browser', 'counting']) {
    assert.ok(
      Number.isInteger(minimums[suite]) && minimums[suite] > 0,
      `test-minimums.json has no minimum for ${suite}`,
    );
  }
});
