import type { WindowCaps } from '../core/windows';
import { StateSettings, StorageConnection } from './types';
import { ConfigError, SettingsReader } from './settingsReader';

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/**
 * Where shared state lives: the Functions storage account (AzureWebJobsStorage, as a
 * connection string or identity-based like the host's own), unless ROUTER_STATE_STORE=memory.
 */
export function readStateSettings(settings: SettingsReader, windowCaps?: WindowCaps): StateSettings {
  const mode = settings.oneOf('ROUTER_STATE_STORE', ['table', 'memory'], 'table');
  if (mode === 'memory') return { kind: 'memory', why: 'ROUTER_STATE_STORE=memory' };
  const connection = readConnection(settings);
  if (connection === undefined) return { kind: 'memory', why: 'AzureWebJobsStorage is not set' };
  const tableName = settings.string('ROUTER_STATE_TABLE') ?? 'routerstate';
  if (!TABLE_NAME.test(tableName)) throw new ConfigError('ROUTER_STATE_TABLE', 'a table name is 3-63 letters and digits, starting with a letter');
  return {
    kind: 'table',
    connection,
    tableName,
    syncIntervalMs: settings.integer('ROUTER_STATE_SYNC_MS', 1000, 100, 60_000),
    ...(windowCaps === undefined ? {} : { windowCaps }),
  };
}

function readConnection(settings: SettingsReader): StorageConnection | undefined {
  const connectionString = settings.string('AzureWebJobsStorage');
  if (connectionString !== undefined) return { kind: 'connection-string', connectionString };
  const clientId = settings.string('AzureWebJobsStorage__clientId') ?? settings.string('AZURE_CLIENT_ID');
  const serviceUri = settings.string('AzureWebJobsStorage__tableServiceUri');
  if (serviceUri !== undefined) return { kind: 'identity', tableServiceUri: serviceUri, clientId };
  const account = settings.string('AzureWebJobsStorage__accountName');
  if (account !== undefined) return { kind: 'identity', tableServiceUri: `https://${account}.table.core.windows.net`, clientId };
  return undefined;
}
