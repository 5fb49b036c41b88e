export { browserTestsEnabled, chromiumPath, launchHeadlessChromium } from './chromium.js';
export { expectArraysClose, maxAbsDifference } from './close.js';
export {
  damagedBytes,
  damagedJson,
  defaultFuzzSeed,
  type FuzzOutcome,
  fuzzParameters,
  fuzzTimeout,
  type TypedErrorClass,
  typedOutcome,
} from './fuzz.js';
export { type LoopbackRoute, type LoopbackServer, startLoopbackServer } from './loopback-server.js';
export {
  hasRedisServer,
  redisServerPath,
  startRedisServer,
  type TestRedisServer,
  type TestRedisServerOptions,
} from './redis-server.js';
export { makeTempDir } from './temp-dir.js';
