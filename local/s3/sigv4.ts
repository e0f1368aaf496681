import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * AWS Signature Version 4 as S3 checks it, for the local S3. s3rver accepts any V4 signature ("unimplemented"),
 * which would let a presigned URL be replayed for another key, after its expiry, or with another body size: exactly
 * what real S3 refuses. This checks both forms the product uses: presigned URLs (X-Amz-* query parameters, from
 * browsers) and the Authorization header (the SDK's own requests).
 *
 * What it checks: the signature over the canonical request (method, path as sent, query, every signed header's
 * value as received), the credential scope's access key, and a presigned URL's expiry. What it does not: the
 * payload hash against the body (the SDK sends UNSIGNED-PAYLOAD or a hash S3 would check; locally the body is not
 * buffered for it) and clock skew of header-signed requests.
 */
export type SigV4Result = { ok: true } | { ok: false; status: number; code: string; message: string };

export interface SigV4Request {
  method: string;
  /** The request target as sent: path and query, still percent-encoded. */
  url: string;
  /** Lower-case names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const escape = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function parseQuery(query: string): [string, string][] {
  if (!query) return [];
  return query.split('&').map((pair) => {
    const at = pair.indexOf('=');
    // Not URLSearchParams: it reads "+" as a space, which SigV4 does not.
    const decode = (s: string) => decodeURIComponent(s);
    return at < 0 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
  });
}

function headerValue(headers: SigV4Request['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.join(',') : value).trim().replace(/\s+/g, ' ');
}

/** YYYYMMDDTHHMMSSZ → Date. */
function amzDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

const refuse = (status: number, code: string, message: string): SigV4Result => ({ ok: false, status, code, message });

export function verifySigV4(
  request: SigV4Request,
  secretFor: (accessKeyId: string) => string | undefined,
  now: Date = new Date(),
): SigV4Result | undefined {
  const q = request.url.indexOf('?');
  const path = q < 0 ? request.url : request.url.slice(0, q);
  let query: [string, string][];
  try {
    query = parseQuery(q < 0 ? '' : request.url.slice(q + 1));
  } catch {
    return refuse(400, 'InvalidArgument', 'Malformed query string');
  }
  const param = (name: string) => query.find(([k]) => k === name)?.[1];
  const authorization = headerValue(request.headers, 'authorization');

  let credential: string;
  let signedHeaders: string;
  let signature: string;
  let date: string;
  let payloadHash: string;
  let expires: number | undefined;
  if (param('X-Amz-Algorithm') !== undefined) {
    if (param('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
      return refuse(400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    credential = param('X-Amz-Credential') ?? '';
    signedHeaders = param('X-Amz-SignedHeaders') ?? '';
    signature = param('X-Amz-Signature') ?? '';
    date = param('X-Amz-Date') ?? '';
    payloadHash = param('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
    expires = Number(param('X-Amz-Expires'));
    if (!Number.isInteger(expires) || expires < 1 || expires > 604800)
      return refuse(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be between 1 and 604800 seconds');
  } else if (authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
    const parts = Object.fromEntries(
      authorization
        .slice('AWS4-HMAC-SHA256 '.length)
        .split(',')
        .map((p) => p.trim().split('=') as [string, string]),
    );
    credential = parts.Credential ?? '';
    signedHeaders = parts.SignedHeaders ?? '';
    signature = parts.Signature ?? '';
    date = headerValue(request.headers, 'x-amz-date') ?? '';
    payloadHash = headerValue(request.headers, 'x-amz-content-sha256') ?? '';
  } else {
    return undefined; // not a V4 request: left to s3rver (anonymous or V2)
  }

  const [accessKeyId = '', scopeDate = '', region = '', service = '', terminator = ''] = credential.split('/');
  const secret = secretFor(accessKeyId);
  if (!secret)
    return refuse(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  const signedAt = amzDate(date);
  if (!signedAt || terminator !== 'aws4_request' || service !== 's3' || !date.startsWith(scopeDate))
    return refuse(400, 'AuthorizationHeaderMalformed', 'The authorization header or query is malformed.');
  if (expires !== undefined && now.getTime() > signedAt.getTime() + expires * 1000)
    return refuse(403, 'AccessDenied', 'Request has expired');

  const names = signedHeaders.split(';').filter(Boolean);
  if (!names.includes('host')) return refuse(400, 'AuthorizationHeaderMalformed', 'Host must be a signed header.');
  const canonicalHeaders = names.map((name) => `${name}:${headerValue(request.headers, name) ?? ''}\n`).join('');
  const canonicalQuery = query
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [escape(k), escape(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    request.method.toUpperCase(),
    path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, scopeDate), region), service), 'aws4_request');
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return refuse(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  return { ok: true };
}
