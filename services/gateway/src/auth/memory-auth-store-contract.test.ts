// The in-memory AuthStore (tests' double) behaves like the database one.
import { describeAuthStoreContract } from './auth-store.contract';
import { MemoryAuthStore } from './auth-store';

describeAuthStoreContract('memory', async () => ({ store: new MemoryAuthStore() }));
