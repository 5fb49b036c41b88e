export { browserTestsEnabled, chromiumPath, launchHeadlessChromium } from './chromium.js';
export { expectArraysClose, maxAbsDifference } from './close.js';
export { type LoopbackRoute, type LoopbackServer, startLoopbackServer } from './loopback-server.js';
export {
  hasRedisServer,
  redisServerPath,
  startRedisServer,
  type TestRedisServer,
} from './redis-server.js';
export { makeTempDir } from './temp-dir.js';
