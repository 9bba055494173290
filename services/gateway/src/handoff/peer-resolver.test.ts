import { StaticPeerResolver, TemplatePeerResolver } from './peer-resolver';

describe('peer resolvers', () => {
  it('fills the template with the instance id (pod name)', () => {
    const resolver = new TemplatePeerResolver('%s.gateway-headless:50051');
    expect(resolver.addressOf('gateway-3')).toBe('gateway-3.gateway-headless:50051');
  });

  it('refuses instance ids that could redirect the call elsewhere', () => {
    const resolver = new TemplatePeerResolver('%s.gateway-headless:50051');
    for (const id of ['', 'evil.com:1/', 'a b', 'x:9', '-lead', 'a'.repeat(300)]) expect(resolver.addressOf(id)).toBeUndefined();
  });

  it('requires %s in the template', () => {
    expect(() => new TemplatePeerResolver('gateway:50051')).toThrow('%s');
  });

  it('maps fixed ids', () => {
    expect(new StaticPeerResolver().set('a', '127.0.0.1:1').addressOf('a')).toBe('127.0.0.1:1');
    expect(new StaticPeerResolver().addressOf('a')).toBeUndefined();
  });
});
