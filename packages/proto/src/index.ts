// Generated TypeScript for Switchboard's protos, one namespace per versioned proto package, so
// two services' `DescribeRequest`s never collide: `guildV1.DescribeRequestSchema`.
// Regenerate with `npm run generate`; `npm run check:generated` fails when gen/ is stale.
// switchboard.testing.v1 (gen/switchboard/testing) is test-only and deliberately not exported.
export * as commonV1 from './gen/switchboard/common/v1/instance_pb.js';
export * as gatewayV1 from './gen/switchboard/gateway/v1/gateway_pb.js';
export * as guildV1 from './gen/switchboard/guild/v1/guild_pb.js';
export * as presenceV1 from './gen/switchboard/presence/v1/presence_pb.js';
export * as pushV1 from './gen/switchboard/push/v1/push_pb.js';

// The protobuf runtime pieces callers need with these messages, re-exported so a service does
// not need its own (possibly mismatched) @bufbuild/protobuf dependency.
export { create, fromBinary, isMessage, toBinary } from '@bufbuild/protobuf';
export type { MessageInitShape, MessageShape } from '@bufbuild/protobuf';
export {
  TimestampSchema,
  timestampDate,
  timestampFromDate,
  timestampFromMs,
  timestampMs,
  timestampNow,
} from '@bufbuild/protobuf/wkt';
export type { Timestamp } from '@bufbuild/protobuf/wkt';
