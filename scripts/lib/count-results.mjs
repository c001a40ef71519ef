#!/usr/bin/env node
// The one place where `./portal test` turns a test runner's report into the
// figures of the closing "N passed, N failed" line.
//
//   node scripts/lib/count-results.mjs <runner> <report> <exit-code> <suite>
//
// runner: jest (its --json report), node-test (its TAP report) or playwright
// (its JSON reporter's file). Prints "<passed> <failed>" on stdout and every
// reason a suite is not green on stderr. Anything that did not pass counts as
// failed: failures, timeouts and cancellations, skipped / todo / pending
// tests, Playwright's flaky ones, a runner that exited non-zero, a missing or
// unreadable report, a suite that ran nothing, and a suite that ran fewer
// tests than the minimum kept for it in test-minimums.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MINIMUMS_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../test-minimums.json',
);

/**
 * Counts one runner's report.
 *
 * @param {'jest' | 'node-test' | 'playwright'} runner
 * @param {string} report the report's text (undefined: there is none)
 * @param {number} exitCode the runner's exit code
 * @returns {{ passed: number, failed: number, total: number, reasons: string[] }}
 */
export function countReport(runner, report, exitCode) {
  const reasons = [];
  let counts;
  try {
    if (report === undefined || report.trim() === '') {
      throw new Error('the runner wrote no report (it crashed or never ran)');
    }
    counts = COUNTERS[runner](report);
  } catch (error) {
    return {
      passed: 0,
      failed: 1,
      total: 0,
      reasons: [`no usable report: ${error.message}`],
    };
  }
  let { passed, failed } = counts;
  for (const [what, count] of Object.entries(counts.notPassed)) {
    if (count > 0) reasons.push(`${count} ${what}`);
  }
  if (counts.total === 0) {
    failed += 1;
    reasons.push('it ran no tests at all');
  }
  if (exitCode !== 0 && failed === 0) {
    failed += 1;
    reasons.push(
      `the runner exited with ${exitCode} although every test passed`,
    );
  }
  return { passed, failed, total: counts.total, reasons };
}

const COUNTERS = {
  jest(text) {
    const r = JSON.parse(text);
    const notPassed = {
      failed: r.numFailedTests ?? 0,
      'pending (skipped)': r.numPendingTests ?? 0,
      todo: r.numTodoTests ?? 0,
      'test files that could not run': r.numRuntimeErrorTestSuites ?? 0,
    };
    return {
      passed: r.numPassedTests ?? 0,
      failed: sum(notPassed),
      total: r.numTotalTests ?? 0,
      notPassed,
    };
  },

  'node-test'(text) {
    // The summary node's TAP reporter writes last: "# tests 5", "# pass 4", …
    const summary = {};
    for (const line of text.split('\n')) {
      const match =
        /^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(
          line.trim(),
        );
      if (match) summary[match[1]] = Number(match[2]);
    }
    if (summary.tests === undefined) {
      throw new Error('the TAP report has no "# tests" summary');
    }
    const notPassed = {
      failed: summary.fail ?? 0,
      'cancelled (timed out or interrupted)': summary.cancelled ?? 0,
      skipped: summary.skipped ?? 0,
      todo: summary.todo ?? 0,
    };
    return {
      passed: summary.pass ?? 0,
      failed: sum(notPassed),
      total: summary.tests,
      notPassed,
    };
  },

  playwright(text) {
    const r = JSON.parse(text);
    const stats = r.stats ?? {};
    const notPassed = {
      failed: stats.unexpected ?? 0,
      'flaky (passed only on a retry)': stats.flaky ?? 0,
      skipped: stats.skipped ?? 0,
      'errors outside tests': (r.errors ?? []).length,
    };
    return {
      passed: stats.expected ?? 0,
      failed: sum(notPassed),
      total:
        (stats.expected ?? 0) +
        (stats.unexpected ?? 0) +
        (stats.flaky ?? 0) +
        (stats.skipped ?? 0),
      notPassed,
    };
  },
};

function sum(counts) {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/**
 * Adds a failure when a suite ran fewer tests than its minimum.
 *
 * @param {{ passed: number, failed: number, total: number, reasons: string[] }} result
 * @param {string} suite
 * @param {Record<string, number>} minimums
 */
export function checkMinimum(result, suite, minimums) {
  const minimum = minimums[suite];
  if (minimum === undefined || result.total >= minimum) return result;
  return {
    ...result,
    failed: result.failed + 1,
    reasons: [
      ...result.reasons,
      `it ran ${result.total} tests, ${
        minimum - result.total
      } fewer than its minimum of ${minimum} (test-minimums.json): were tests deleted or not found?`,
    ],
  };
}

export function readMinimums(file = MINIMUMS_FILE) {
  const { suites } = JSON.parse(readFileSync(file, 'utf8'));
  return suites;
}

function readReport(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [runner, reportFile, exitCode, suite] = process.argv.slice(2);
  if (!COUNTERS[runner] || !reportFile || exitCode === undefined || !suite) {
    console.error(
      'usage: count-results.mjs <jest|node-test|playwright> <report> <exit-code> <suite>',
    );
    process.exit(2);
  }
  const result = checkMinimum(
    countReport(runner, readReport(reportFile), Number(exitCode)),
    suite,
    readMinimums(),
  );
  for (const reason of result.reasons) {
    console.error(`${suite}: not green: ${reason}`);
  }
  console.log(`${result.passed} ${result.failed}`);
}
