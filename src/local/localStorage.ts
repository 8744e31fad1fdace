import { Azurite, isListening, startAzurite } from './azurite';

const AZURITE_TABLE_PORT = 10002;

/**
 * Like Core Tools with Azurite: AzureWebJobsStorage unset or UseDevelopmentStorage=true means
 * the Azurite table service on 127.0.0.1:10002, started in memory if nothing listens there.
 * A full connection string is used as it is.
 */
export async function ensureLocalStorage(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<Azurite | undefined> {
  const configured = env.AzureWebJobsStorage?.trim();
  if (env.ROUTER_STATE_STORE === 'memory') return undefined;
  if (configured && !/UseDevelopmentStorage=true/i.test(configured)) return undefined;
  if (env.AzureWebJobsStorage__accountName || env.AzureWebJobsStorage__tableServiceUri) return undefined;
  env.AzureWebJobsStorage = 'UseDevelopmentStorage=true';
  if (await isListening(AZURITE_TABLE_PORT)) {
    log(`Using the Azurite table service already listening on 127.0.0.1:${AZURITE_TABLE_PORT}`);
    return undefined;
  }
  try {
    const azurite = await startAzurite(AZURITE_TABLE_PORT);
    log(`Started Azurite (table service, in memory) on 127.0.0.1:${AZURITE_TABLE_PORT}`);
    return azurite;
  } catch (err) {
    log(`Azurite could not start (${err instanceof Error ? err.message : String(err)}); state stays per instance`);
    env.ROUTER_STATE_STORE = 'memory';
    return undefined;
  }
}
