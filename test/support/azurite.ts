import { Azurite, startPrivateAzurite } from '../../src/local/azurite';

/** A private in-memory Azurite for one test file. */
export function startTestAzurite(): Promise<Azurite> {
  return startPrivateAzurite();
}
