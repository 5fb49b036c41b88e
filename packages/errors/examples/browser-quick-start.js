import { ActlabError } from '@actlab/errors';

class MyError extends ActlabError {}
const error = new MyError({ code: 'DEMO', message: 'expected a positive number, got -1' });
console.log(ActlabError.isInstance(error), ActlabError.hasCode(error, 'DEMO'), error.message);
