// The command line of the golden sample run, shared by the test and scripts/update-golden.mjs.
export const GOLDEN_ARGS = [
  '--counties', 'data/sample/counties.csv',
  '--budget', 'data/sample/budget.csv',
  '--projects', 'data/sample/projects.csv',
  '--previous', 'data/sample/previous-allocations.csv',
];
export const GOLDEN_FILES = ['allocations.csv', 'provinces.csv', 'checks.csv', 'projects.csv', 'summary.json'];
