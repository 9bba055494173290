// The client_status key of a session, from the IDENTIFY `properties` its client sent: Discord's
// mobile apps name themselves in `browser` ("Discord Android", "Discord iOS"), its desktop app is
// "Discord Client"; everything else (browsers, bot libraries) counts as web.
export type Platform = 'desktop' | 'mobile' | 'web';

export function platformOf(properties: Readonly<Record<string, unknown>> | undefined): Platform {
  const browser = String(properties?.browser ?? '');
  const os = String(properties?.os ?? '');
  if (/android|ios|iphone|ipad|mobile/i.test(browser) || /^(android|ios)$/i.test(os)) return 'mobile';
  if (/^discord client$/i.test(browser) || /electron/i.test(browser)) return 'desktop';
  return 'web';
}
