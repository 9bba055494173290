import { platformOf } from './client-platform';

describe('client platform (client_status key) from IDENTIFY properties', () => {
  it.each([
    [{ os: 'android', browser: 'Discord Android', device: 'Pixel' }, 'mobile'],
    [{ os: 'ios', browser: 'Discord iOS', device: 'iPhone' }, 'mobile'],
    [{ os: 'Windows', browser: 'Discord Client', device: '' }, 'desktop'],
    [{ os: 'Linux', browser: 'Firefox', device: '' }, 'web'],
    [{ os: 'linux', browser: 'discord.js', device: 'discord.js' }, 'web'],
    [undefined, 'web'],
  ])('%j → %s', (properties, platform) => {
    expect(platformOf(properties)).toBe(platform);
  });
});
