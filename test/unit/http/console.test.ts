import { consoleAsset } from '#functions/console-assets';
import { cognitoEndpointOf } from '#functions/env';
import { consolePolicy, getConsoleAsset } from '#functions/http/console';
import type { HttpRequest } from '#functions/http/http-types';
import { NotFoundError } from '#core/errors';
import { expectError } from '../../support/expect-error.ts';

/** The console's shell policy, its files and where its browser signs in. */
const request = (params: Record<string, string>, headers: Record<string, string> = {}) => ({ params, headers }) as unknown as HttpRequest;

describe('the console', () => {
  it('lets its page connect only to this origin and the user pool, run only this origin\'s script, and never be framed', () => {
    expect(consolePolicy('http://127.0.0.1:9229/')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' http://127.0.0.1:9229; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(consolePolicy(undefined)).toContain("connect-src 'self';");
  });

  it('serves its script with its type and an ETag, and 304 when the browser has that version', async () => {
    // Prepare
    const script = consoleAsset('console.client.js');

    // Act
    const fresh = await getConsoleAsset(request({ asset: 'console.client.js' }));
    const revalidated = await getConsoleAsset(request({ asset: 'console.client.js' }, { 'if-none-match': script.etag }));

    // Assess
    expect([fresh.statusCode, fresh.headers?.['content-type'], fresh.headers?.etag, fresh.body]).toStrictEqual([200, 'text/javascript; charset=utf-8', script.etag, script.body]);
    expect([revalidated.statusCode, revalidated.body, revalidated.headers?.['x-frame-options']]).toStrictEqual([304, '', 'DENY']);
  });

  it('answers 404 for any other file name', async () => {
    await expectError(getConsoleAsset(request({ asset: '../env.ts' })), NotFoundError, 'There is no console file ../env.ts.');
  });

  it('signs in where the SDK would call Cognito: the endpoint the environment names, else the region\'s', () => {
    expect([
      cognitoEndpointOf({ AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9229', AWS_REGION: 'eu-west-1' }),
      cognitoEndpointOf({ AWS_REGION: 'eu-west-1' }),
      cognitoEndpointOf({}),
    ]).toStrictEqual(['http://127.0.0.1:9229/', 'https://cognito-idp.eu-west-1.amazonaws.com/', '']);
  });
});
