import { create } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { presenceV1 } from '@switchboard/proto';
import { presencePayload } from './presence-payload';

const presence = (init: MessageInitShape<typeof presenceV1.UserPresenceSchema>) => create(presenceV1.UserPresenceSchema, { userId: '9', activitiesJson: '[]', ...init });

describe('presencePayload', () => {
  it('is Discord’s partial presence, with only the platforms the user is on', () => {
    const activities = [{ name: 'Chess', type: 0 }];
    expect(presencePayload(presence({ status: 'dnd', activitiesJson: JSON.stringify(activities), clientStatus: { desktop: 'dnd', web: 'online' } }))).toEqual({
      user: { id: '9' },
      status: 'dnd',
      activities,
      client_status: { desktop: 'dnd', web: 'online' },
    });
  });

  it('is undefined for an offline user (invisible reads as offline)', () => {
    expect(presencePayload(presence({ status: 'offline' }))).toBeUndefined();
    expect(presencePayload(presence({ status: '' }))).toBeUndefined();
  });

  it('drops activities that are not a JSON array instead of failing the payload', () => {
    expect(presencePayload(presence({ status: 'online', activitiesJson: '{broken' }))?.activities).toEqual([]);
    expect(presencePayload(presence({ status: 'online', activitiesJson: '{}' }))?.activities).toEqual([]);
  });
});
