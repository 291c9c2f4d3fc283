import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { PETRA_ORG_ID } from '../workflows/shared';

/** Connects the API's client to Temporal and makes sure the org search attribute exists (works on any server). */
export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  await ensureSearchAttributes(connection, namespace);
  return new Client({ connection, namespace });
}

async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  if (customAttributes?.[PETRA_ORG_ID.name]) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: { [PETRA_ORG_ID.name]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
    });
  } catch (err) {
    // Another process registered it between our read and our write.
    if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS */) throw err;
  }
}
