import * as errors from './errors';
import { CODEC_CLOSE_CODES, codecCloseCode } from './errors';

describe('codec errors – close codes as data', () => {
  it('has a class for every entry of the close-code table, and maps its instances', () => {
    for (const [name, code] of Object.entries(CODEC_CLOSE_CODES)) {
      const ErrorClass = (errors as unknown as Record<string, new (message: string) => Error>)[name];
      expect(ErrorClass).toBeDefined();
      const error = new ErrorClass!('x');
      expect(error.name).toBe(name);
      expect(codecCloseCode(error)).toBe(code);
    }
  });

  it('uses 4012 only for the version and 4002 for everything a client sent undecodable', () => {
    expect(CODEC_CLOSE_CODES).toEqual({ DecodeError: 4002, UnsupportedEncodingError: 4002, UnsupportedCompressionError: 4002, UnsupportedVersionError: 4012 });
  });

  it('has no close code for server-side failures or foreign errors', () => {
    expect(codecCloseCode(new errors.EncodeError('x'))).toBeUndefined();
    expect(codecCloseCode(new errors.CompressionError('x'))).toBeUndefined();
    expect(codecCloseCode(new TypeError('x'))).toBeUndefined();
    expect(codecCloseCode('DecodeError')).toBeUndefined();
  });

  it('carries the cause', () => {
    const cause = new SyntaxError('bad');
    expect(new errors.DecodeError('x', { cause }).cause).toBe(cause);
  });
});
