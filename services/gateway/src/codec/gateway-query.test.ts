import { codecCloseCode } from './errors';
import { UnsupportedCompressionError, UnsupportedEncodingError, UnsupportedVersionError } from './errors';
import { parseGatewayQuery } from './gateway-query';

describe('gateway query', () => {
  it('reads what discord.js sends', () => {
    expect(parseGatewayQuery('v=10&encoding=json')).toEqual({ version: 10, encoding: 'json', compression: undefined });
    expect(parseGatewayQuery('?v=10&encoding=json&compress=zlib-stream')).toEqual({ version: 10, encoding: 'json', compression: 'zlib-stream' });
    expect(parseGatewayQuery(new URLSearchParams({ v: '10', encoding: 'etf', compress: 'zstd-stream' }))).toEqual({
      version: 10, encoding: 'etf', compression: 'zstd-stream',
    });
  });

  it('defaults a missing or empty value: v=10, json, no compression', () => {
    expect(parseGatewayQuery('')).toEqual({ version: 10, encoding: 'json', compression: undefined });
    expect(parseGatewayQuery('v=&encoding=&compress=')).toEqual({ version: 10, encoding: 'json', compression: undefined });
  });

  it.each([
    ['v=9', UnsupportedVersionError, 4012],
    ['v=11', UnsupportedVersionError, 4012],
    ['v=ten', UnsupportedVersionError, 4012],
    ['v=10.0', UnsupportedVersionError, 4012],
    ['encoding=xml', UnsupportedEncodingError, 4002],
    ['encoding=JSON', UnsupportedEncodingError, 4002],
    ['compress=zlib', UnsupportedCompressionError, 4002],
    ['compress=true', UnsupportedCompressionError, 4002],
  ])('%s is a typed error that closes with its code', (query, type, code) => {
    let thrown: unknown;
    try {
      parseGatewayQuery(query);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(type);
    expect(codecCloseCode(thrown)).toBe(code);
  });
});
