import { deriveSeed, seededRandom, shuffleInPlace } from '@actlab/seeded-random';

const random = seededRandom(deriveSeed(3, 7)); // seed 3, epoch 7
console.log(random(), random()); // the same two numbers as in Node
console.log(shuffleInPlace([0, 1, 2, 3, 4], random));
