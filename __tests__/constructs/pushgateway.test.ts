import { TerraformStack } from 'cdktf';
import { IPushgateway, Pushgateway } from '../../constructs/pushgateway';
import { PushgatewayRelease } from '../../constructs/pushgateway-release';
import { DEFAULT_PUSHGATEWAY_URL } from '../../lambda-src/contract';
import { testApp } from '../helpers/synth';

describe('Pushgateway references', () => {
  test('the default is the plain chart\'s own Pushgateway', () => {
    expect(Pushgateway.CHART_DEFAULT.url).toBe(DEFAULT_PUSHGATEWAY_URL);
  });

  test.each([
    ['pushgateway:9091', /Pushgateway URL 'pushgateway:9091' is not an http\(s\) URL/],
    ['http://pgw:9091 ', /has whitespace in it/],
    ['http://pgw:9091/?x=1', /has a query or fragment/],
    ['ftp://pgw:9091', /is not an http\(s\) URL/],
  ])('fromUrl refuses %j', (url, message) => {
    expect(() => Pushgateway.fromUrl(url)).toThrow(message);
  });

  test('an installed release and an existing URL are used the same way', () => {
    const release: IPushgateway = new PushgatewayRelease(new TerraformStack(testApp(), 'test'), 'pushgateway', { namespace: 'observability' });
    const existing: IPushgateway = Pushgateway.fromUrl('https://pgw.example.org');
    expect([release.url, existing.url]).toEqual(['http://claude-oauth-pushgateway.observability:9091', 'https://pgw.example.org']);
  });
});
