import { TableClient, TableServiceClientOptions } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { StateSettings, StorageConnection } from '../config/types';
import { AzureRowTable } from './AzureRowTable';
import { MemoryStateStore } from './MemoryStateStore';
import { SharedStateStore } from './SharedStateStore';
import { StateStore } from './StateStore';

export interface StateStoreHandle {
  readonly store: StateStore;
  readonly kind: 'memory' | 'table';
  start(): void;
  stop(): Promise<void>;
  /** True when this instance should do the once-per-app work named `name` now. */
  claimLease(name: string, holdMs: number): Promise<boolean>;
  /** When the last successful sync with the table finished; undefined for memory or never. */
  lastSyncAtMs(): number | undefined;
}

/** Background calls: one quick retry at most, so an outage costs a log line, not a backlog. */
const CLIENT_OPTIONS: TableServiceClientOptions = { retryOptions: { maxRetries: 1, retryDelayInMs: 200 } };
const OP_TIMEOUT_MS = 5000;

export function createStateStore(
  settings: StateSettings,
  options: { instanceId: string; now: () => number; log: (line: string) => void; countUsage?: boolean },
): StateStoreHandle {
  if (settings.kind === 'memory') {
    return {
      store: new MemoryStateStore({ now: options.now }),
      kind: 'memory',
      start: () => options.log(`[router] state is per instance (${settings.why})`),
      stop: async () => undefined,
      // The only instance is the only claimer: once-per-app work is always its own.
      claimLease: async () => true,
      lastSyncAtMs: () => undefined,
    };
  }
  const client = tableClient(settings.connection, settings.tableName);
  const store = new SharedStateStore(new AzureRowTable(client, OP_TIMEOUT_MS), {
    ...options,
    syncIntervalMs: settings.syncIntervalMs,
    ...(settings.windowCaps === undefined ? {} : { windowCaps: settings.windowCaps }),
  });
  return {
    store,
    kind: 'table',
    start: () => store.start(),
    stop: () => store.stop(),
    claimLease: (name, holdMs) => store.claimLease(name, holdMs),
    lastSyncAtMs: () => store.lastSyncAtMs,
  };
}

export function tableClient(connection: StorageConnection, tableName: string): TableClient {
  if (connection.kind === 'connection-string') {
    const local = /TableEndpoint=http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(connection.connectionString);
    return TableClient.fromConnectionString(connection.connectionString, tableName, { ...CLIENT_OPTIONS, allowInsecureConnection: local });
  }
  const credential = new DefaultAzureCredential(connection.clientId === undefined ? {} : { managedIdentityClientId: connection.clientId });
  return new TableClient(connection.tableServiceUri, tableName, credential, CLIENT_OPTIONS);
}
