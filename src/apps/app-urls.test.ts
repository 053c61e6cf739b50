import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { urlsFor } from './app-urls.js';

const hosts = ['shop.apps.test', 'www.shop.test', 'api.shop.test'];

describe('urlsFor', () => {
  it('every host over HTTP, the default host first; no port for the standard one', () => {
    assert.deepEqual(
      urlsFor({ domain: 'apps.test', httpPort: 80, httpsPort: 443 }, hosts, undefined).map((u) => u.url),
      ['http://shop.apps.test/', 'http://www.shop.test/', 'http://api.shop.test/'],
    );
  });

  it('HTTPS for the hosts the certificate covers (wildcards too), the default host first', () => {
    const urls = urlsFor({ domain: 'apps.test', httpPort: 8080, httpsPort: 8443 }, hosts, [
      '*.shop.test',
      'shop.apps.test',
    ]);
    assert.deepEqual(
      urls.map((u) => u.url),
      [
        'https://shop.apps.test:8443/',
        'http://shop.apps.test:8080/',
        'http://www.shop.test:8080/',
        'http://api.shop.test:8080/',
        'https://www.shop.test:8443/',
        'https://api.shop.test:8443/',
      ],
    );
  });

  it('no HTTPS URL when HTTPS is off', () => {
    const urls = urlsFor({ domain: 'apps.test', httpPort: 80, httpsPort: 0 }, hosts, ['*.shop.test']);
    assert.ok(urls.every((u) => u.scheme === 'http'));
  });
});
