import type { HttpResult } from './web-context.ts';

/** A file to save (a CSV or PDF export): text as is, bytes base64 as API Gateway v2 expects them. */
export function attachment(fileName: string, contentType: string, body: string | Uint8Array): HttpResult {
  return {
    statusCode: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    ...(typeof body === 'string' ? { body } : { body: Buffer.from(body).toString('base64'), isBase64Encoded: true }),
  };
}
