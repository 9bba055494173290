// A jest fixture for guild-link suites (kept in __tests__/, out of the service's build, because
// it uses jest's hooks).
import type { RunningGateway } from '../../start';
import { FakeGuildServer, startLinkedGateway, waitFor } from '../fake-guild-server';

/**
 * jest hooks for a suite: `count` fake guild instances and a real gateway linked to all of them,
 * started (every fan-out hello received) before the suite's tests and stopped after them. Read
 * the fields inside tests or later hooks.
 */
export function useLinkedGateway(count = 1, env: Record<string, string> = {}): { fakes: FakeGuildServer[]; gateway: RunningGateway } {
  const fixture = { fakes: [] as FakeGuildServer[], gateway: undefined as unknown as RunningGateway };
  beforeAll(async () => {
    fixture.fakes = await Promise.all(Array.from({ length: count }, () => FakeGuildServer.start()));
    fixture.gateway = await startLinkedGateway(fixture.fakes, env);
    await waitFor(() => fixture.fakes.every((fake) => fake.call?.helloFrom !== undefined), 'the fanout hellos');
  });
  afterAll(async () => {
    await fixture.gateway?.context.lifecycle.shutdown('test done');
    for (const fake of fixture.fakes) fake.stop();
  });
  return fixture;
}
