// Prints one plain closing line, "Tests: N passed, N failed, N skipped", that CI systems read
// without knowing jest's own summary format. A skipped test is reported, never counted as passed.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numFailedTestSuites, numRuntimeErrorTestSuites } = results;
    // A suite that fails to load has no failed tests of its own: count it, so the line never says 0 failed.
    const failed = numFailedTests + (numFailedTests === 0 ? Math.max(numFailedTestSuites, numRuntimeErrorTestSuites) : 0);
    // stderr, like jest's own summary, so this line comes after it in a merged log.
    process.stderr.write(`\nTests: ${numPassedTests} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
