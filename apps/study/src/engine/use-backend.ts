import { type BackendChoice, type BackendRequest, selectBackend } from '@actlab/backend';

let chosen: Promise<BackendChoice> | undefined;

/**
 * Starts the tfjs backend once per thread (with @actlab/backend's faster kernels) and returns
 * its name; later calls return the first choice whatever they ask.
 */
export async function useBackend(request: string): Promise<string> {
  chosen ??= selectBackend(request as BackendRequest);
  return (await chosen).name;
}
