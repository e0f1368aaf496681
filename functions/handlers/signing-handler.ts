import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import type { Signer } from '../../core/ports.ts';
import {
  failureOf,
  sha256Hex,
  SIGNING_OPS,
  SIGNING_SCRATCH_PREFIX,
  type SigningAnswer,
  type SigningInvocation,
} from '../signing/signing-invocation.ts';

/**
 * The signing function: hosts a core `Signer` (the pemda's provider) and answers synchronous invocations from
 * LambdaSigner (functions/signing/lambda-signer.ts). A PDF is read from the scratch prefix of the documents bucket,
 * its SHA-256 checked, signed, and the signed bytes written to the output key there; the answer names that key and
 * its SHA-256. Every failure is answered as `{ error: { name, code, message } }` (never thrown: an unhandled error
 * would reach the Lambda runtime's log), and nothing of the event is ever logged: it holds the credential.
 */
export interface SigningHandlerDeps {
  readonly signer: Signer;
  readonly s3: S3Client;
  /** The documents bucket: the only bucket the scratch objects may be in. */
  readonly bucket: string;
}

const text = z.string().min(1).max(500);
const scratchKey = z
  .string()
  .max(1024)
  .refine((k) => k.startsWith(SIGNING_SCRATCH_PREFIX) && !k.includes('..'), {
    message: `harus di bawah ${SIGNING_SCRATCH_PREFIX}`,
  });
const InvocationSchema = z.object({
  op: z.enum(SIGNING_OPS as [string, ...string[]]),
  official: z.object({
    pemdaId: text,
    id: text,
    nama: text,
    jabatan: text,
    nip: text.optional(),
    instansi: text.optional(),
    segel: z.boolean().optional(),
  }),
  details: z
    .object({ reason: text, location: text, name: text, contactInfo: text, signingTime: z.iso.datetime() })
    .optional(),
  credential: z.union([z.object({ passphrase: text }), z.object({ totp: text })]).optional(),
  input: z.object({ bucket: text, key: scratchKey, sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  output: z.object({ bucket: text, key: scratchKey }).optional(),
});

/** Only the paths of what is wrong: a message that echoed a value could echo the credential. */
function parse(event: unknown): SigningInvocation {
  const parsed = InvocationSchema.safeParse(event);
  if (!parsed.success)
    throw new SepakatError(
      ErrorNames.BadInput,
      `Permintaan tanda tangan tidak valid: ${parsed.error.issues.map((i) => i.path.join('.') || 'permintaan').join(', ')}.`,
      { code: 'PermintaanTandaTanganTidakValid' },
    );
  return parsed.data as SigningInvocation;
}

export function signingHandler(deps: SigningHandlerDeps) {
  const bucketOf = (field: string, bucket: string) => {
    if (bucket !== deps.bucket)
      throw new SepakatError(ErrorNames.BadInput, `Permintaan tanda tangan tidak valid: ${field}.bucket.`, {
        code: 'PermintaanTandaTanganTidakValid',
      });
    return bucket;
  };

  async function answer(request: SigningInvocation): Promise<unknown> {
    const { official } = request;
    switch (request.op) {
      case 'describe':
        return deps.signer.describe(official);
      case 'readiness':
        return deps.signer.readiness(official);
      case 'requestTotp':
        await deps.signer.requestTotp(official);
        return null;
      case 'signPdf': {
        const { input, output, details } = request;
        if (!input || !output || !details)
          throw new SepakatError(
            ErrorNames.BadInput,
            `Permintaan tanda tangan tidak valid: ${[!input && 'input', !output && 'output', !details && 'details'].filter(Boolean).join(', ')}.`,
            { code: 'PermintaanTandaTanganTidakValid' },
          );
        const object = await deps.s3.send(
          new GetObjectCommand({ Bucket: bucketOf('input', input.bucket), Key: input.key }),
        );
        const pdf = await object.Body!.transformToByteArray();
        if (sha256Hex(pdf) !== input.sha256)
          throw new SepakatError(ErrorNames.Tampered, 'Berkas yang akan ditandatangani tidak utuh (SHA-256 berbeda).', {
            code: 'BerkasTidakUtuh',
          });
        const signed = await deps.signer.signPdf(
          pdf,
          official,
          { ...details, signingTime: new Date(details.signingTime) },
          request.credential,
        );
        const sha256 = sha256Hex(signed);
        await deps.s3.send(
          new PutObjectCommand({
            Bucket: bucketOf('output', output.bucket),
            Key: output.key,
            Body: signed,
            ContentType: 'application/pdf',
          }),
        );
        return { key: output.key, sha256 };
      }
    }
  }

  return async (event: unknown): Promise<SigningAnswer> => {
    try {
      return { result: (await answer(parse(event))) ?? null };
    } catch (error) {
      return failureOf(error);
    }
  };
}
