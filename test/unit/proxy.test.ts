import { describe, expect, it } from 'vitest';
import { bypasses, proxyFor } from '../../src/http/proxy.js';

describe('proxyFor', () => {
  it('uses the scheme’s variable, lower case first', () => {
    const env = { HTTP_PROXY: 'http://upper:3128', http_proxy: 'http://lower:3128', HTTPS_PROXY: 'tunnel:8080' };
    expect(proxyFor('http://svc/healthz', env)).toEqual({ ok: true, proxy: 'http://lower:3128/' });
    expect(proxyFor('https://svc/healthz', env)).toEqual({ ok: true, proxy: 'http://tunnel:8080/' });
    expect(proxyFor('https://svc/healthz', { HTTP_PROXY: 'http://p:1' })).toEqual({ ok: true, proxy: null });
  });

  it('refuses proxies it cannot speak to, as a plan problem', () => {
    expect(proxyFor('http://svc/', { HTTP_PROXY: 'https://p:443' })).toEqual({ ok: false, message: expect.stringMatching(/only http:\/\/ proxies/) });
    expect(proxyFor('http://svc/', { HTTP_PROXY: 'http://[bad' })).toEqual({ ok: false, message: 'HTTP_PROXY is not a valid proxy URL' });
  });
});

describe('bypasses (NO_PROXY)', () => {
  const url = (text: string) => new URL(text);
  it.each([
    ['http://api.internal/', 'internal', true],
    ['http://api.internal/', '.internal', true],
    ['http://api.internal/', '*.internal', true],
    ['http://notinternal/', 'internal', false],
    ['http://internal/', '.internal', true],
    ['http://10.0.0.5:8080/', '10.0.0.5', true],
    ['http://10.0.0.5:8080/', '10.0.0.5:8080', true],
    ['http://10.0.0.5:8080/', '10.0.0.5:9090', false],
    ['http://10.0.0.50/', '10.0.0.5', false],
    ['http://[::1]:8080/', '::1', true],
    ['https://svc/', 'svc:443', true],
    ['http://svc/', '', false],
    ['http://svc/', '*', true],
  ])('%s with NO_PROXY=%s → %s', (target, noProxy, expected) => {
    expect(bypasses(url(target), noProxy)).toBe(expected);
  });
});
