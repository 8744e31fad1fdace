import { StateSettings } from '../config/types';
import { AzureRowTable } from '../state/AzureRowTable';
import { tableClient } from '../state/createStateStore';
import { RequestHistory } from './history';
import { HistoryShare, HistoryShareOptions } from './historyShare';

/** Background table calls are bounded like the state store's. */
const OP_TIMEOUT_MS = 5000;

/** The history, shared through the state table when there is one (its own client, the same table). */
export function createHistoryShare(settings: StateSettings, options: HistoryShareOptions): HistoryShare {
  const table = settings.kind === 'table' ? new AzureRowTable(tableClient(settings.connection, settings.tableName), OP_TIMEOUT_MS) : undefined;
  return new HistoryShare(new RequestHistory(options.now), table, options);
}
