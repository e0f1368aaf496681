import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ErrorNames, SepakatError } from '../../core/errors.ts';

/**
 * Each signer's BSrE identity (NIK or BSrE email), which the `bsre` provider sends with a sign request. Personal data:
 * never in config/ or the repository. Locally it is the data directory's `identitas-bsre.json` (written by
 * local/bsre/development-users.ts); in AWS a Secrets Manager secret that only the signing function reads. Both hold
 * one JSON map `<pemda>/<person>` → `{ nik?, email? }`.
 */
export interface BsreIdentity {
  readonly nik?: string;
  readonly email?: string;
}

export interface BsreIdentities {
  /** The signer's identity, or undefined when none is recorded for this person of this pemda. */
  lookup(pemdaId: string, personId: string): Promise<BsreIdentity | undefined>;
}

const IdentityMapSchema = z.record(
  z.string().regex(/^[^/]+\/[^/]+$/, 'kunci harus <pemda>/<pegawai>'),
  z
    .object({
      nik: z
        .string()
        .regex(/^\d{16}$/, 'NIK 16 angka')
        .optional(),
      email: z.email().optional(),
    })
    .refine((v) => v.nik !== undefined || v.email !== undefined, { message: 'nik atau email harus diisi' }),
);

/** Parses the map; an error names the entry and field (never a value: they are personal data). */
export function parseBsreIdentities(text: string, source: string): Map<string, BsreIdentity> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SepakatError(ErrorNames.InvalidDefinition, `Identitas BSrE (${source}) bukan JSON yang sah.`);
  }
  const parsed = IdentityMapSchema.safeParse(json);
  if (!parsed.success)
    throw new SepakatError(
      ErrorNames.InvalidDefinition,
      `Identitas BSrE (${source}) tidak valid: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || 'isi'}: ${i.message}`)
        .join('; ')}`,
    );
  return new Map(Object.entries(parsed.data));
}

/** Read once, then kept; a failed read is not kept (the next lookup reads again). */
class CachedIdentities implements BsreIdentities {
  private map: Promise<Map<string, BsreIdentity>> | undefined;
  constructor(private readonly load: () => Promise<Map<string, BsreIdentity>>) {}
  async lookup(pemdaId: string, personId: string): Promise<BsreIdentity | undefined> {
    this.map ??= this.load().catch((error: unknown) => {
      this.map = undefined;
      throw error;
    });
    return (await this.map).get(`${pemdaId}/${personId}`);
  }
}

/**
 * The data directory's `identitas-bsre.json` (the embedded default): read at each lookup (a small file; an identity
 * recorded while the product runs counts at once). A missing file is no identity.
 */
export function fileBsreIdentities(file: string): BsreIdentities {
  return {
    async lookup(pemdaId, personId) {
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      return text === undefined ? undefined : parseBsreIdentities(text, file).get(`${pemdaId}/${personId}`);
    },
  };
}

/** The Secrets Manager secret (AWS): read at the first lookup of a container, kept for its life. */
export function secretsManagerBsreIdentities(secrets: SecretsManagerClient, secretId: string): BsreIdentities {
  return new CachedIdentities(async () => {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    return parseBsreIdentities(out.SecretString ?? '', 'Secrets Manager');
  });
}
