export { deriveSeed, seededRandom, shuffleInPlace, tfjsSeed } from './seeded-random.js';
