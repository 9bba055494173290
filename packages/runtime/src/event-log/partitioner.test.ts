import { randomBytes } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { murmur2, partitionFor } from './partitioner';

describe('partitionFor (Kafka default partitioner)', () => {
  // Computed with the Java client's org.apache.kafka.common.utils.Utils#murmur2 (kafka-clients 4.4.0).
  const javaVectors: Array<[string, number, number]> = [
    ['21', -973932308, 0],
    ['foobar', -790332482, 6],
    ['a-little-bit-long-string', -985981536, 8],
    ['a-little-bit-longer-string', -1486304829, 11],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 5],
    ['abc', 479470107, 3],
    ['', 275646681, 9],
    ['1234567890123456789', 658684088, 8],
    ['guild-1', -1885554858, 2],
    ['été-中文', 425354145, 9],
  ];

  it.each(javaVectors)('matches the Java client for %j', (key, hash, partitionOf12) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(hash);
    expect(partitionFor(key, 12)).toBe(partitionOf12);
  });

  it("agrees with kafkajs's DefaultPartitioner on random keys and partition counts", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (let i = 0; i < 2000; i += 1) {
      const key = i % 3 === 0 ? String(BigInt.asUintN(63, randomBytes(8).readBigUInt64BE())) : randomBytes(i % 40).toString('base64');
      const count = 1 + (i % 64);
      const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1], offlineReplicas: [] }));
      const expected = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } });
      expect(partitionFor(key, count)).toBe(expected);
    }
  });

  it('rejects a partition count that is not a positive integer', () => {
    expect(() => partitionFor('k', 0)).toThrow(RangeError);
    expect(() => partitionFor('k', 1.5)).toThrow(RangeError);
  });
});
