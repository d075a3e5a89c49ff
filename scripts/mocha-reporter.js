// Mocha's spec reporter plus one closing line "N passed, N failed[, N skipped]" that CI systems
// read to tell a run that tested something from one that ran no test.
'use strict';
const Mocha = require('mocha');

class SpecWithTally extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      process.stdout.write(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}\n`);
    });
  }
}

module.exports = SpecWithTally;
