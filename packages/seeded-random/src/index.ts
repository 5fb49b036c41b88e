export { deriveSeed, seededRandom, shuffleInPlace } from './seeded-random.js';
