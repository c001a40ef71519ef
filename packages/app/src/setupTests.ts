import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The app's tests render the whole app, whose pages load lazily: on a CI
// machine whose two cores are shared with the other suites, the first render
// can take far longer than testing-library's 1 s default. These bounds only
// catch hangs; speed is measured in the benchmarks.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(120_000);
