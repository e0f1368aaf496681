import { randomUUID } from 'node:crypto';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type {
  Countersignature,
  PdfSignatureInfo,
  SignatureDescription,
  Signer,
  SigningCredential,
  SigningOfficial,
  SigningReadiness,
} from '../../core/ports.ts';
import { SigningErrorCodes } from '../../core/signing/signing-errors.ts';
import { invokeFunction } from '../adapters/lambda-invoke.ts';
import { sha256Hex, SIGNING_SCRATCH_PREFIX, type SigningInvocation } from './signing-invocation.ts';

/**
 * The core `Signer` of a function that does not sign itself (the `http` function in AWS, outside the VPC): the four
 * provider operations are synchronous invocations of the signing function (functions/handlers/signing-handler.ts),
 * which runs in the VPC with the fixed egress address BSrE allows; reading a PDF's signatures and checking a
 * partner's countersignature need only trust anchors and run here, on `verifier`.
 *
 * The PDF goes to the scratch prefix of the documents bucket and the signed one comes back from there (an Invoke
 * payload is limited to 6 MB), each checked by its SHA-256. The credential exists only in that one invocation's
 * payload. A refusal comes back as the same SepakatError (name, code, message) the provider raised, so the signing
 * page behaves as it does where the provider runs in process.
 */
export interface LambdaSignerOptions {
  readonly lambda: LambdaClient;
  /** Name or ARN of the signing function. */
  readonly functionName: string;
  readonly s3: S3Client;
  /** The documents bucket (its scratch prefix expires by lifecycle). */
  readonly bucket: string;
  /** Reads signatures and checks countersignatures against the trust anchors. */
  readonly verifier: Pick<Signer, 'countersignature' | 'signatures'>;
}

export class LambdaSigner implements Signer {
  constructor(private readonly options: LambdaSignerOptions) {}

  async describe(official: SigningOfficial): Promise<SignatureDescription> {
    return (await this.invoke({ op: 'describe', official })) as SignatureDescription;
  }

  async readiness(official: SigningOfficial): Promise<SigningReadiness> {
    return (await this.invoke({ op: 'readiness', official })) as SigningReadiness;
  }

  async requestTotp(official: SigningOfficial): Promise<void> {
    await this.invoke({ op: 'requestTotp', official });
  }

  async signPdf(
    pdf: Uint8Array,
    official: SigningOfficial,
    details: { reason: string; location: string; name: string; contactInfo: string; signingTime: Date },
    credential?: SigningCredential,
  ): Promise<Uint8Array> {
    const { s3, bucket } = this.options;
    const base = `${SIGNING_SCRATCH_PREFIX}${randomUUID()}`;
    const input = { bucket, key: `${base}/masukan.pdf`, sha256: sha256Hex(pdf) };
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: input.key, Body: pdf, ContentType: 'application/pdf' }));
    const result = (await this.invoke(
      {
        op: 'signPdf',
        official,
        details: { ...details, signingTime: details.signingTime.toISOString() },
        ...(credential ? { credential } : {}),
        input,
        output: { bucket, key: `${base}/keluaran.pdf` },
      },
      true,
    )) as { key: string; sha256: string };
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: result.key }));
    const signed = await object.Body!.transformToByteArray();
    if (sha256Hex(signed) !== result.sha256)
      throw new SepakatError(ErrorNames.Tampered, 'PDF bertanda tangan dari fungsi tanda tangan tidak utuh.', {
        code: SigningErrorCodes.ResponseRefused,
      });
    return signed;
  }

  countersignature(candidate: Uint8Array, signed: Uint8Array, at: Date): Promise<Countersignature> {
    return this.options.verifier.countersignature(candidate, signed, at);
  }

  signatures(pdf: Uint8Array, at: Date): Promise<PdfSignatureInfo[]> {
    return this.options.verifier.signatures(pdf, at);
  }

  /**
   * One RequestResponse invocation. A refusal in the answer is raised as itself; a failure of the invocation (the
   * function crashed or timed out) is transient, and for a signature whose request was sent its outcome is unknown.
   * No message here quotes the payload.
   */
  private invoke(request: SigningInvocation, sent = false): Promise<unknown> {
    return invokeFunction(this.options, request, ({ cause, refused }) => {
      // Refused by Lambda itself (no such function, no permission): the function never ran.
      const reached = sent && !refused;
      return new SepakatError(
        ErrorNames.Transient,
        reached
          ? 'Hasil tanda tangan tidak diketahui: fungsi tanda tangan tidak menjawab. Ulangi penandatanganan atas dokumen yang sama.'
          : 'Layanan tanda tangan tidak tersedia; silakan coba lagi.',
        { code: reached ? SigningErrorCodes.OutcomeUnknown : SigningErrorCodes.ProviderUnavailable, cause },
      );
    });
  }
}
