import { ENCODINGS } from './gateway-query';
import { ENCODING_BY_NAME, encodingFor } from './encodings';

describe('encodings by name', () => {
  it('has one shared encoding for every name the query accepts', () => {
    for (const name of ENCODINGS) {
      expect(encodingFor(name).name).toBe(name);
      expect(encodingFor(name)).toBe(ENCODING_BY_NAME[name]);
    }
  });

  it('sends JSON as text and ETF as binary', () => {
    expect(encodingFor('json').binary).toBe(false);
    expect(encodingFor('etf').binary).toBe(true);
  });
});
