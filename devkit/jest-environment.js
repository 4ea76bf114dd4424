// Jest's Node environment, with one cost removed. cdktf records where every token was created: it
// captures a stack trace into a plain object ({ stack: '' }) and reads it back. Under Jest each such
// trace went through Jest's source-map formatter, which reads and decodes the inline source maps of
// every cdktf file on the stack, again in every test file: about 6 CPU-s of the suite, for traces no
// test ever shows. Those captures get V8's plain format here; every Error still gets Jest's mapped
// one, so a failing test's stack points at the .ts line as before.
const { TestEnvironment } = require('jest-environment-node');

/** A trace captured into a plain object of the test's realm (Error.captureStackTrace({ stack: '' })), not an Error anyone throws. */
function isCapturedTrace(target, realmObject) {
  return target !== null && typeof target === 'object' && Object.getPrototypeOf(target) === realmObject.prototype;
}

function plainFormat(target, callSites) {
  return [String(target), ...callSites.map((site) => `    at ${site}`)].join('\n');
}

class CdktfTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    // Node asks the Error of the realm that made the trace first, then this (Jest's) realm's.
    const realmObject = this.global.Object;
    this.global.Error.prepareStackTrace = (target, callSites) => {
      if (isCapturedTrace(target, realmObject)) return plainFormat(target, callSites);
      return Error.prepareStackTrace ? Error.prepareStackTrace(target, callSites) : plainFormat(target, callSites);
    };
  }
}

module.exports = CdktfTestEnvironment;
