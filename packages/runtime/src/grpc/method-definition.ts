import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, DescMethod, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { MethodDefinition } from '@grpc/grpc-js';

// The bridge between @bufbuild/protobuf v2 descriptors and grpc-js: the HTTP/2 path of a
// method and its (de)serializers, so grpc-js carries schema-checked messages.

/** "/switchboard.guild.v1.GuildService/Describe" */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

function serializer<D extends DescMessage>(schema: D): (value: MessageInitShape<D>) => Buffer {
  return (value) => {
    // `create` returns `value` itself when it already is a message of this schema.
    const bytes = toBinary(schema, create(schema, value));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer<D extends DescMessage>(schema: D): (bytes: Buffer) => MessageShape<D> {
  return (bytes) => fromBinary(schema, bytes);
}

// Requests and responses are serialized from init shapes and deserialized into full messages
// (a full message is also a valid init shape).
export type AnyMethodDefinition = MethodDefinition<MessageInitShape<DescMessage>, MessageInitShape<DescMessage>>;

export function methodDefinition(method: DescMethod): AnyMethodDefinition {
  return {
    path: methodPath(method),
    originalName: method.localName,
    requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
    responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
    requestSerialize: serializer(method.input),
    requestDeserialize: deserializer(method.input),
    responseSerialize: serializer(method.output),
    responseDeserialize: deserializer(method.output),
  };
}
