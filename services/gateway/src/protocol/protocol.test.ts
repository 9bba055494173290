import {
  ALL_INTENTS,
  closeCodeInfo,
  CloseCodes,
  closeKeepsSession,
  GatewayIntent,
  intentAllows,
  missingPrivilegedIntents,
  PRIVILEGED_INTENTS,
  validIntents,
} from './index';

describe('gateway protocol tables – close codes', () => {
  it.each(Object.values(CloseCodes))('$code $name is in the 4000 range and looked up by code', (info) => {
    expect(info.code).toBeGreaterThanOrEqual(4000);
    expect(info.code).toBeLessThan(4100);
    expect(closeCodeInfo(info.code)).toBe(info);
  });

  it('marks the codes Discord says not to reconnect after', () => {
    const final = Object.values(CloseCodes).filter((info) => !info.reconnect).map((info) => info.code);
    expect(final.sort()).toEqual([4004, 4010, 4011, 4012, 4013, 4014]);
  });

  it('ends the session on a client close 1000/1001 and keeps it after a drop or 4008', () => {
    expect(closeKeepsSession(1000)).toBe(false);
    expect(closeKeepsSession(1001)).toBe(false);
    expect(closeKeepsSession(1006)).toBe(true);
    expect(closeKeepsSession(4008)).toBe(true);
    expect(closeKeepsSession(4007)).toBe(false);
  });
});

describe('gateway protocol tables – intents', () => {
  it('privileged intents are GUILD_MEMBERS, GUILD_PRESENCES and MESSAGE_CONTENT', () => {
    expect(PRIVILEGED_INTENTS).toBe((1 << 1) | (1 << 8) | (1 << 15));
    expect(missingPrivilegedIntents(GatewayIntent.GUILDS | GatewayIntent.MESSAGE_CONTENT, 0)).toBe(GatewayIntent.MESSAGE_CONTENT);
    expect(missingPrivilegedIntents(GatewayIntent.MESSAGE_CONTENT, GatewayIntent.MESSAGE_CONTENT)).toBe(0);
  });

  it('rejects unknown bits, negatives and non-integers', () => {
    expect(validIntents(ALL_INTENTS)).toBe(true);
    expect(validIntents(1 << 17)).toBe(false);
    expect(validIntents(-1)).toBe(false);
    expect(validIntents(1.5)).toBe(false);
    expect(validIntents('513')).toBe(false);
  });

  it('gates MESSAGE_CREATE by GUILD_MESSAGES in guilds and DIRECT_MESSAGES in DMs', () => {
    expect(intentAllows(GatewayIntent.GUILD_MESSAGES, 'MESSAGE_CREATE', true)).toBe(true);
    expect(intentAllows(GatewayIntent.GUILD_MESSAGES, 'MESSAGE_CREATE', false)).toBe(false);
    expect(intentAllows(GatewayIntent.DIRECT_MESSAGES, 'MESSAGE_CREATE', false)).toBe(true);
    expect(intentAllows(0, 'READY', true)).toBe(true);
  });
});
