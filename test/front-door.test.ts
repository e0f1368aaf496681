import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN_HEADER, viewerAddress } from '../functions/handlers/front-door.ts';
import { webApp } from '../functions/handlers/web-app.ts';
import { permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * The guard of the front door, against the Lambda handler as API Gateway calls it (payload 2.0, `hono/aws-lambda`
 * as in functions/lambda/http.ts): with an origin secret configured (AWS), a request without CloudFront's header is
 * refused, and the limits key on CloudFront-Viewer-Address, not on CloudFront's own address. Without one (the
 * embedded default), no header is asked and the header CloudFront would set is not believed.
 */
const SOP = 'kota-penyusunan-kesepakatan-bersama';
const SECRET = 'c2VwYWthdC1mcm9udC1kb29yLXNlY3JldC1mb3ItdGVzdHM';
const CLOUDFRONT_EDGE = '130.176.10.20'; // what API Gateway sees behind CloudFront: an edge server's address

describe('the front door', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  let guarded: ReturnType<typeof handle>;
  let open: ReturnType<typeof handle>;
  beforeAll(async () => {
    rt = await startTestRuntime({
      schedulerIntervalMs: 0,
      intakeSweepIntervalMs: 0,
      limits: { preparePerSourcePerHour: 1 },
    });
    guarded = handle(webApp({ ...rt.app, config: { ...rt.app.config, SEPAKAT_ORIGIN_SECRET: SECRET } }));
    open = handle(webApp(rt.app));
  });
  afterAll(async () => rt?.cleanup());

  const origin = () => new URL(rt.app.config.SEPAKAT_PUBLIC_BASE_URL).origin;
  function event(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): LambdaEvent & { statusCode?: never } {
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers: { host: new URL(origin()).host, ...headers },
      requestContext: {
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: CLOUDFRONT_EDGE, userAgent: 'test' },
      },
      isBase64Encoded: false,
      ...(body !== undefined ? { body } : {}),
    } as unknown as LambdaEvent & { statusCode?: never };
  }
  const call = async (handler: ReturnType<typeof handle>, e: LambdaEvent) =>
    (await handler(e, undefined)) as { statusCode: number; body: string; headers: Record<string, string> };
  const prepareBody = () => {
    const input = permohonanFor(rt, SOP);
    return JSON.stringify({
      ...input,
      files: input.files.map((f) => ({ slot: f.slot, name: f.name, size: f.bytes.length })),
    });
  };
  const prepare = (handler: ReturnType<typeof handle>, headers: Record<string, string>) =>
    call(
      handler,
      event(
        'POST',
        '/api/permohonan',
        { 'content-type': 'application/json', origin: origin(), ...headers },
        prepareBody(),
      ),
    );

  it('refuses with 403 in Indonesian a request without the origin secret, or with a wrong one', async () => {
    const attempts: Record<string, string>[] = [{}, { [ORIGIN_HEADER]: 'salah' }, { [ORIGIN_HEADER]: `${SECRET}x` }];
    for (const headers of attempts) {
      const page = await call(guarded, event('GET', '/', headers));
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain('Akses ditolak');
      expect(page.body).toContain('hanya dapat dibuka melalui alamat resminya');
      // The health check too: nothing answers outside the front door.
      expect((await call(guarded, event('GET', '/kesehatan', headers))).statusCode).toBe(403);
    }
    // The intake API answers in JSON, and nothing was reserved.
    const api = await prepare(guarded, {});
    expect(api.statusCode).toBe(403);
    expect(JSON.parse(api.body)).toEqual({ pesan: expect.stringContaining('alamat resminya') });
    // With the secret, the same requests pass.
    const home = await call(guarded, event('GET', '/', { [ORIGIN_HEADER]: SECRET }));
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(rt.app.catalog.sops.latest(SOP).definition.header.nama);
  });

  it('keys the limits on CloudFront-Viewer-Address (IPv4 and IPv6), not on CloudFront’s address', async () => {
    // One permohonan per caller per hour (this test's limit): every request below comes from the same CloudFront
    // edge address; the viewers differ.
    const viaCloudFront = (viewer: string) => ({ [ORIGIN_HEADER]: SECRET, 'cloudfront-viewer-address': viewer });
    expect((await prepare(guarded, viaCloudFront('198.51.100.7:46532'))).statusCode).toBe(200);
    const again = await prepare(guarded, viaCloudFront('198.51.100.7:51000'));
    expect(again.statusCode).toBe(429);
    expect(JSON.parse(again.body).pesan).toMatch(/^Terlalu banyak permohonan/);
    expect((await prepare(guarded, viaCloudFront('2001:db8:85a3::8a2e:370:7334:46532'))).statusCode).toBe(200);
    expect((await prepare(guarded, viaCloudFront('2001:db8:85a3::8a2e:370:7334:443'))).statusCode).toBe(429);
    expect((await prepare(guarded, viaCloudFront('203.0.113.9:1234'))).statusCode).toBe(200);
  });

  it('asks no header without a secret, and then does not believe a CloudFront-Viewer-Address sent by anyone', async () => {
    expect((await call(open, event('GET', '/', {}))).statusCode).toBe(200);
    // Without the front door the source IP counts (the edge address here, new to the limiter): the first passes,
    // and a forged viewer address does not make a second caller of the same source.
    expect((await prepare(open, { 'cloudfront-viewer-address': '192.0.2.1:1' })).statusCode).toBe(200);
    expect((await prepare(open, { 'cloudfront-viewer-address': '192.0.2.2:1' })).statusCode).toBe(429);
  });

  it('reads the viewer address as CloudFront writes it, and nothing else', () => {
    expect(viewerAddress('198.51.100.7:46532')).toBe('198.51.100.7');
    expect(viewerAddress('2001:db8:85a3::8a2e:370:7334:46532')).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(viewerAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    for (const bad of [undefined, '', '198.51.100.7', 'bukan-alamat:80', '198.51.100.7:port', ':80'])
      expect(viewerAddress(bad), String(bad)).toBeUndefined();
  });
});
