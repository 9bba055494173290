import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import type { Client, ClientDuplexStream, GrpcObject, ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { pushV1 } from '@switchboard/proto';
import { implement, implementPartially } from './add-service';
import { collectFiles } from './reflection';
import { EchoService, echoImpl, startServer } from './__tests__/echo-fixture';
import type { RunningServer } from './__tests__/echo-fixture';

// A plain grpc-js client of the reflection service, loaded from the proto @grpc/reflection
// ships, as grpcurl would use it.
interface ReflectionResponse {
  listServicesResponse?: { service: Array<{ name: string }> };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number };
}

function reflectionClient(version: 'v1' | 'v1alpha', address: string): Client {
  const path = require.resolve(`@grpc/reflection/build/proto/grpc/reflection/${version}/reflection.proto`);
  const loaded = loadPackageDefinition(loadSync(path, { keepCase: false, oneofs: true }));
  const grpcPackage = loaded['grpc'] as GrpcObject;
  const reflection = (grpcPackage['reflection'] as GrpcObject)[version] as GrpcObject;
  const Constructor = reflection['ServerReflection'] as ServiceClientConstructor;
  return new Constructor(address, credentials.createInsecure());
}

function ask(client: Client, request: Record<string, string>): Promise<ReflectionResponse> {
  const stream = (client as unknown as { serverReflectionInfo(): ClientDuplexStream<unknown, ReflectionResponse> }).serverReflectionInfo();
  return new Promise((resolve, reject) => {
    stream.once('data', (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
    });
    stream.once('error', reject);
    stream.write(request);
  });
}

describe('grpc – server reflection', () => {
  let running: RunningServer;

  beforeAll(async () => {
    running = await startServer([
      implement(EchoService, echoImpl),
      implementPartially(pushV1.PushService, { describe: async () => ({}) }),
    ]);
  });
  afterAll(() => running.stop());

  it.each(['v1', 'v1alpha'] as const)('%s lists every served service and health', async (version) => {
    const client = reflectionClient(version, running.address);
    const response = await ask(client, { listServices: '*' });
    client.close();
    const names = response.listServicesResponse?.service.map((service) => service.name).sort();
    expect(names).toEqual(['grpc.health.v1.Health', 'switchboard.push.v1.PushService', 'switchboard.testing.v1.EchoService']);
  });

  it('describes a service with its file and imports, down to google/protobuf/timestamp.proto', async () => {
    const client = reflectionClient('v1alpha', running.address);
    const response = await ask(client, { fileContainingSymbol: 'switchboard.push.v1.PushService' });
    client.close();
    const files = (response.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    expect(files.map((file) => file.name).sort()).toEqual([
      'google/protobuf/timestamp.proto',
      'switchboard/common/v1/instance.proto',
      'switchboard/push/v1/push.proto',
    ]);
    const push = files.find((file) => file.name === 'switchboard/push/v1/push.proto');
    expect(push?.service[0]?.method.map((method) => method.name)).toEqual(['Describe', 'RegisterDevice', 'UnregisterDevice', 'ListDevices']);
  });

  it('serves grpc.health.v1 with protoc-style map entries, so grpcurl accepts it', async () => {
    const client = reflectionClient('v1', running.address);
    const response = await ask(client, { fileContainingSymbol: 'grpc.health.v1.Health' });
    client.close();
    const [health] = (response.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    const list = health?.messageType.find((message) => message.name === 'HealthListResponse');
    expect(list?.nestedType.map((nested) => nested.name)).toEqual(['StatusesEntry']);
    expect(list?.field[0]?.typeName).toMatch(/(^|\.)StatusesEntry$/);
  });

  it('collects each file once, imports before importers', () => {
    const names = collectFiles([pushV1.PushService, pushV1.PushService]).map((file) => file.proto.name);
    expect(names).toEqual(['google/protobuf/timestamp.proto', 'switchboard/common/v1/instance.proto', 'switchboard/push/v1/push.proto']);
  });
});
