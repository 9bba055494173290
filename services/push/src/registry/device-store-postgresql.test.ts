// The device store contract on the real PostgreSQL (cluster mode), in a fresh schema.
import { requireDatabaseUrl } from '../../../../test/support/backing-services';
import { describeDeviceStoreContract } from './__tests__/device-store.contract';
import { openPostgresPushSchema } from './__tests__/push-database';

describeDeviceStoreContract('PostgreSQL', () => openPostgresPushSchema(requireDatabaseUrl()));
