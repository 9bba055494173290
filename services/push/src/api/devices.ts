// RegisterDevice, UnregisterDevice and ListDevices: the device registry over gRPC. Tokens are
// checked against the configured apps at registration, so the pipeline only meets tokens it has
// credentials for.
import { create, pushV1, timestampFromDate } from '@switchboard/proto';
import type { PushApps } from '../apps';
import type { Device, DeviceStore } from '../registry';
import * as v from './validate';

export interface PushApiDeps {
  store: DeviceStore;
  apps: PushApps;
}

export function toProtoDevice(device: Device): pushV1.Device {
  return create(pushV1.DeviceSchema, {
    userId: device.userId.toString(),
    platform: v.toProtoPlatform(device.platform),
    appId: device.appId,
    token: device.token,
    locale: device.locale ?? '',
    registeredAt: timestampFromDate(device.registeredAt),
  });
}

export function deviceHandlers(deps: PushApiDeps) {
  return {
    async registerDevice(request: pushV1.RegisterDeviceRequest): Promise<pushV1.RegisterDeviceResponse> {
      const userId = v.userId(request.userId);
      const platform = v.platform(request.platform);
      const appId = v.configuredApp(deps.apps, platform, request.appId);
      const token = v.token(platform, request.token);
      const locale = v.locale(request.locale);
      const device = await deps.store.register({ userId, platform, appId, token, ...(locale ? { locale } : {}) });
      return create(pushV1.RegisterDeviceResponseSchema, { device: toProtoDevice(device) });
    },

    async unregisterDevice(request: pushV1.UnregisterDeviceRequest): Promise<pushV1.UnregisterDeviceResponse> {
      const platform = v.platform(request.platform);
      const appId = v.anyAppId(request.appId);
      const token = v.token(platform, request.token);
      const userId = v.optionalUserId(request.userId);
      const removed = await deps.store.unregister({ platform, appId, token, ...(userId !== undefined ? { userId } : {}) });
      return create(pushV1.UnregisterDeviceResponseSchema, { removed });
    },

    async listDevices(request: pushV1.ListDevicesRequest): Promise<pushV1.ListDevicesResponse> {
      const ids = v.userIds(request.userIds);
      const distinct = [...new Set(ids)];
      const byUser = await deps.store.devicesOf(distinct);
      const devices = distinct.flatMap((id) => (byUser.get(id) ?? []).map(toProtoDevice));
      return create(pushV1.ListDevicesResponseSchema, { devices });
    },
  };
}
