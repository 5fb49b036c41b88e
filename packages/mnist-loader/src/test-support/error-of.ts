import { ActlabError } from '@actlab/errors';

/** The ActlabError a promise rejects with; fails the test when it resolves or throws another. */
export async function errorOf(promise: Promise<unknown>): Promise<ActlabError> {
  try {
    await promise;
  } catch (error) {
    if (ActlabError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}
