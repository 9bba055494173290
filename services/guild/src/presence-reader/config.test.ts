import { loadGuildConfig } from '../config';

const base = { DATABASE_URL: 'pglite://memory' };

describe('guild config – presence reads', () => {
  it('PRESENCE_ADDRESS is optional: unset means no presence service', () => {
    const config = loadGuildConfig(base);
    expect(config.presenceAddress).toBeUndefined();
    expect(config.presenceCallTimeoutMs).toBe(2_000);
  });

  it('takes host:port and a call timeout', () => {
    const config = loadGuildConfig({ ...base, PRESENCE_ADDRESS: 'presence.ns.svc:50053', PRESENCE_CALL_TIMEOUT: '500ms' });
    expect(config.presenceAddress).toBe('presence.ns.svc:50053');
    expect(config.presenceCallTimeoutMs).toBe(500);
  });

  it.each(['presence', 'presence:0', 'presence:70000', 'http://presence:50053'])('rejects PRESENCE_ADDRESS=%s naming the variable', (value) => {
    expect(() => loadGuildConfig({ ...base, PRESENCE_ADDRESS: value })).toThrow(`PRESENCE_ADDRESS must be host:port (got "${value}")`);
  });
});
