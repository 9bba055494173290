// The device store contract on PGlite (embedded mode, `make dev`).
import { describeDeviceStoreContract } from './__tests__/device-store.contract';
import { openPglitePushDatabase } from './__tests__/push-database';

describeDeviceStoreContract('PGlite', openPglitePushDatabase);
