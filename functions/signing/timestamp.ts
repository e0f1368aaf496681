import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { equalBytes, OID, toArrayBuffer } from './asn1.ts';

/**
 * RFC 3161 timestamps for PAdES B-T. A `TimestampAuthority` returns a timestamp token (a DER ContentInfo holding a
 * SignedData over a TSTInfo) whose message imprint is the SHA-256 given; `buildDetachedCms` adds it to the
 * SignerInfo as id-aa-signatureTimeStampToken. `HttpTimestampAuthority` asks a TSA over HTTP (POST
 * `application/timestamp-query`): the local TSA (`local/tsa/`) in the embedded default, a real one in production.
 * The verifier (`verify.ts`) checks the token independently of this client.
 */
export interface TimestampAuthority {
  /** A token over `digest` (SHA-256). */
  timestamp(digest: Uint8Array): Promise<Uint8Array>;
  /** Bytes to reserve in /Contents for one token, beyond the signature itself. */
  reserveBytes(): number;
}

export interface HttpTimestampAuthorityOptions {
  /** Bound of one request (default 10 s). */
  readonly timeoutMs?: number;
  /**
   * Room reserved for a token (default 8192). A token from the local TSA is about 2.5 KB (its certificate and its
   * CA's); a TSA with a longer chain needs more, and once a larger token has been seen, that size plus a margin is
   * reserved. A token that still does not fit fails the signature loudly (`TandaTanganTerlaluBesar`).
   */
  readonly reserveBytes?: number;
}

const DEFAULT_RESERVE = 8192;
const RESERVE_MARGIN = 1024;

export class HttpTimestampAuthority implements TimestampAuthority {
  private largestToken = 0;

  constructor(
    readonly url: string,
    private readonly options: HttpTimestampAuthorityOptions = {},
  ) {}

  reserveBytes(): number {
    return Math.max(this.options.reserveBytes ?? DEFAULT_RESERVE, this.largestToken + RESERVE_MARGIN);
  }

  async timestamp(digest: Uint8Array): Promise<Uint8Array> {
    const nonce = randomBytes(8);
    nonce[0] = nonce[0]! & 0x7f; // positive
    const request = timestampRequest(digest, new Uint8Array(nonce));
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: request,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new SepakatError(ErrorNames.Transient, `Layanan cap waktu (TSA) tidak dapat dihubungi: ${String(error)}`, {
        code: 'TsaTidakTerhubung',
      });
    }
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.status !== 200 || !/^application\/timestamp-reply/.test(response.headers.get('content-type') ?? ''))
      throw new SepakatError(ErrorNames.Transient, `Layanan cap waktu (TSA) menjawab HTTP ${response.status}.`, {
        code: 'TsaGagal',
      });
    const token = tokenFromResponse(body, digest, new Uint8Array(nonce));
    this.largestToken = Math.max(this.largestToken, token.byteLength);
    return token;
  }
}

/** DER TimeStampReq: version 1, SHA-256 message imprint, the nonce, certReq true. */
export function timestampRequest(digest: Uint8Array, nonce: Uint8Array): Uint8Array {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  });
  return new Uint8Array(req.toSchema().toBER());
}

/**
 * The token of a granted TimeStampResp, after checking that it answers this request: status granted (or granted
 * with modifications), a TSTInfo whose imprint is `digest` and whose nonce is `nonce`. The token's signature and
 * chain are the verifier's business (`verify.ts`), not the client's.
 */
export function tokenFromResponse(body: Uint8Array, digest: Uint8Array, nonce: Uint8Array): Uint8Array {
  const fail = (why: string) =>
    new SepakatError(ErrorNames.Transient, `Jawaban layanan cap waktu (TSA) tidak dapat dipakai: ${why}.`, {
      code: 'TsaJawabanTidakSah',
    });
  const asn1 = asn1js.fromBER(toArrayBuffer(body));
  if (asn1.offset === -1) throw fail('bukan DER');
  let resp: pkijs.TimeStampResp;
  try {
    resp = new pkijs.TimeStampResp({ schema: asn1.result });
  } catch (error) {
    throw fail(`struktur TimeStampResp: ${(error as Error).message}`);
  }
  const status = resp.status.status;
  if ((status !== 0 && status !== 1) || !resp.timeStampToken) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ');
    throw fail(`status ${status}${text ? ` (${text})` : ''}`);
  }
  const info = readTstInfo(resp.timeStampToken);
  if (!equalBytes(new Uint8Array(info.messageImprint.hashedMessage.valueBlock.valueHexView), digest))
    throw fail('cap waktu untuk nilai lain (message imprint tidak cocok)');
  if (!info.nonce || !equalBytes(stripZero(info.nonce.valueBlock.valueHexView), stripZero(nonce)))
    throw fail('nonce tidak cocok');
  return new Uint8Array(resp.timeStampToken.toSchema().toBER());
}

/** The TSTInfo inside a token (ContentInfo → SignedData → eContent of type id-ct-TSTInfo). */
export function readTstInfo(token: pkijs.ContentInfo): pkijs.TSTInfo {
  if (token.contentType !== OID.signedData) throw new Error(`contentType token ${token.contentType}`);
  const signedData = new pkijs.SignedData({ schema: token.content });
  const encap = signedData.encapContentInfo;
  if (encap.eContentType !== OID.tstInfo || !encap.eContent) throw new Error('token tanpa TSTInfo');
  return pkijs.TSTInfo.fromBER(eContentBytes(encap.eContent));
}

/** The eContent octets (pkijs may keep a long OCTET STRING as constructed pieces). */
export function eContentBytes(eContent: asn1js.OctetString): Uint8Array {
  if (!eContent.idBlock.isConstructed) return new Uint8Array(eContent.valueBlock.valueHexView);
  return new Uint8Array(
    Buffer.concat(
      (eContent.valueBlock.value as asn1js.OctetString[]).map((p) => Buffer.from(p.valueBlock.valueHexView)),
    ),
  );
}

function stripZero(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/**
 * The certificates inside the signature timestamp token of a signature's CMS (the TSA's chain, when the TSA was
 * asked for it): what a /DSS carries for the token. Empty without a token.
 */
export function timestampTokenCertificates(signatureCms: Uint8Array): Uint8Array[] {
  try {
    const asn1 = asn1js.fromBER(toArrayBuffer(signatureCms));
    const signedData = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: asn1.result }).content });
    const token = signedData.signerInfos[0]?.unsignedAttrs?.attributes.find(
      (a) => a.type === OID.signatureTimeStampToken,
    )?.values[0] as asn1js.BaseBlock | undefined;
    if (!token) return [];
    const tokenData = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: token }).content });
    return (tokenData.certificates ?? []).flatMap((c) =>
      c instanceof pkijs.Certificate ? [new Uint8Array(c.toSchema().toBER())] : [],
    );
  } catch {
    return [];
  }
}
