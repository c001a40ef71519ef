// The self-test of count-results.mjs runs one fixture file at a time
// (COUNTING_FIXTURE) through the real Playwright runner; no browser starts.
export default {
  testDir: '.',
  testMatch: process.env.COUNTING_FIXTURE ?? 'none',
  retries: 1,
  workers: 1,
  reporter: [['json']],
  outputDir: process.env.COUNTING_OUTPUT_DIR,
};
