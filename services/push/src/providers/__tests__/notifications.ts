// Shared test inputs for the provider tests.
import type { DeviceTarget, Platform, RenderedNotification } from '../provider';

export function notification(overrides: Partial<RenderedNotification> = {}): RenderedNotification {
  return {
    title: 'alice in #general',
    body: 'hello @bob',
    collapseId: 'channel:41771983423143937',
    data: { guild_id: '41771983423143936', channel_id: '41771983423143937', message_id: '41771983444115456' },
    ...overrides,
  };
}

export function device(platform: Platform, token: string, appId = 'app'): DeviceTarget {
  return { platform, appId, token };
}
