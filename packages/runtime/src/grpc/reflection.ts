import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescFile, DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { DescriptorProto } from '@bufbuild/protobuf/wkt';
import { ReflectionService } from '@grpc/reflection';
import { service as healthServiceDefinition } from 'grpc-health-check';
import type { Server } from '@grpc/grpc-js';

// Server reflection (grpc.reflection.v1 and v1alpha; grpcurl falls back to v1alpha), served
// by @grpc/reflection. It only needs each service's file descriptors as serialized
// FileDescriptorProtos, in the shape of a proto-loader package definition, so we feed it the
// descriptors embedded in the generated code (plus their imports, such as
// google/protobuf/timestamp.proto) and the health service's own descriptors.

type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

/** The files declaring `services` and everything they import, each once, imports first. */
export function collectFiles(services: readonly DescService[]): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (file: DescFile): void => {
    if (seen.has(file.proto.name)) return;
    for (const dependency of file.dependencies) visit(dependency);
    seen.set(file.proto.name, file);
  };
  for (const service of services) visit(service.file);
  return [...seen.values()];
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function serialize(file: DescFile): Buffer {
  return toBuffer(toBinary(FileDescriptorProtoSchema, file.proto));
}

/** "statuses" → "StatusesEntry", protoc's name for the entry message of a map field. */
function mapEntryName(fieldName: string): string {
  const camel = fieldName.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}

/**
 * protobufjs (under grpc-health-check's proto-loader) names map entry messages after the
 * field ("Statuses") where protoc says "StatusesEntry"; Go's protodesc, and so grpcurl,
 * rejects the whole file for it. Renames each map entry and the field that refers to it.
 */
function repairMapEntries(message: DescriptorProto): void {
  for (const field of message.field) {
    const segments = field.typeName.split('.');
    const entry = message.nestedType.find((nested) => nested.options?.mapEntry === true && nested.name === segments.at(-1));
    if (entry === undefined) continue;
    entry.name = mapEntryName(field.name);
    field.typeName = [...segments.slice(0, -1), entry.name].join('.');
  }
  message.nestedType.forEach(repairMapEntries);
}

function healthFileDescriptors(): Buffer[] {
  const check = healthServiceDefinition['Check'];
  return (check?.requestType.fileDescriptorProtos ?? []).map((bytes) => {
    const file = fromBinary(FileDescriptorProtoSchema, bytes);
    file.messageType.forEach(repairMapEntries);
    return toBuffer(toBinary(FileDescriptorProtoSchema, file));
  });
}

/** A package definition that lists `services` (and grpc.health.v1.Health) for reflection. */
export function reflectionPackageDefinition(services: readonly DescService[]): PackageDefinition {
  const fileDescriptorProtos = [...collectFiles(services).map(serialize), ...healthFileDescriptors()];
  // ReflectionService indexes the `fileDescriptorProtos` of every entry; one entry holding
  // all files is enough, shaped as proto-loader's message type definition.
  return {
    'switchboard.reflection': { format: 'Protocol Buffer 3 DescriptorProto', type: {}, fileDescriptorProtos },
  } as PackageDefinition;
}

export function addReflection(server: Pick<Server, 'addService'>, services: readonly DescService[]): void {
  new ReflectionService(reflectionPackageDefinition(services)).addToServer(server);
}
