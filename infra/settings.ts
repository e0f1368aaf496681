import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { mailDomainOf } from '../functions/config.ts';

/**
 * What a deployer decides, read once from the CDK context (`cdk.json`, or `-c sepakat:<name>=…` on the command
 * line) through one schema: a missing or malformed value stops the synth with a message naming it.
 */
export const CONTEXT = {
  region: 'sepakat:region',
  pemda: 'sepakat:pemda',
  domain: 'sepakat:domain',
  mailFrom: 'sepakat:mailFrom',
  publicUrl: 'sepakat:publicUrl',
  archiveRetentionDays: 'sepakat:archiveRetentionDays',
  alarmEmail: 'sepakat:alarmEmail',
  signingKeys: 'sepakat:signingKeys',
  customDomain: 'sepakat:customDomain',
} as const;

const emptyToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

/** Jakarta: government records stay in Indonesia unless the deployer chooses otherwise. */
export const DEFAULT_REGION = 'ap-southeast-3';

export const SettingsSchema = z
  .object({
    /**
     * The AWS region of both stacks: the deployer's choice, Jakarta by default. It wins over CDK_DEFAULT_REGION,
     * which the CDK CLI always sets (from the profile), so data never lands elsewhere by accident.
     */
    region: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'kode region AWS, mis. ap-southeast-3')
        .default(DEFAULT_REGION),
    ),
    /** The pemda this deployment serves (its directory is config/pemda/<pemda>.yaml); a tag on every resource. */
    pemda: z.string().regex(/^[a-z0-9-]{2,40}$/, 'huruf kecil, angka dan tanda hubung'),
    /** The mail domain verified in SES (the sender address must be at it or a subdomain of it). */
    domain: z.string().regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'nama domain, mis. sepakat.kota-contoh.go.id'),
    /** The From of every email, e.g. `Sepakat <tidak-membalas@sepakat.kota-contoh.go.id>`. */
    mailFrom: z.string().min(3),
    /**
     * The base URL in emailed links and the origin browsers use; default `https://<customDomain>`, else the
     * CloudFront distribution's own domain (the front door).
     */
    publicUrl: z.preprocess(emptyToUndefined, z.url({ protocol: /^https$/ }).optional()),
    /** Governance-mode Object Lock retention of the archive bucket, in days. */
    archiveRetentionDays: z.coerce.number().int().min(1).max(36500),
    /** Where alarms are emailed (an SNS email subscription); none when empty. */
    alarmEmail: z.preprocess(emptyToUndefined, z.email().optional()),
    /**
     * The KMS signing keys (the `kms` provider) by name, e.g. `["walikota", "segel"]` or "walikota,segel": one
     * asymmetric ECC_NIST_P256 SIGN_VERIFY key each, alias `sepakat/tanda-tangan/<name>`, retained. None by default.
     */
    /**
     * The site's own name (e.g. `sepakat.kota-contoh.go.id`) on the front door: an ACM certificate (DNS validation,
     * in us-east-1 as CloudFront needs) and an alias of the distribution. None when empty: CloudFront's own domain.
     */
    customDomain: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'nama domain, mis. sepakat.kota-contoh.go.id')
        .optional(),
    ),
    signingKeys: z.preprocess(
      (v) =>
        typeof v === 'string'
          ? v
              .split(',')
              .map((n) => n.trim())
              .filter(Boolean)
          : (v ?? []),
      z
        .array(z.string().regex(/^[a-z0-9-]{2,40}$/, 'nama kunci: huruf kecil, angka dan tanda hubung'))
        .refine((names) => new Set(names).size === names.length, 'nama kunci tidak boleh berulang'),
    ),
  })
  .refine(
    (s) => {
      const from = mailDomainOf(s.mailFrom);
      return from === s.domain || from.endsWith(`.${s.domain}`);
    },
    { path: ['mailFrom'], message: 'alamat pengirim harus di domain sepakat:domain' },
  )
  .refine((s) => !s.publicUrl || !s.customDomain || new URL(s.publicUrl).hostname === s.customDomain, {
    path: ['publicUrl'],
    message: 'alamat publik harus memakai domain sepakat:customDomain',
  });
export type Settings = z.infer<typeof SettingsSchema>;

/**
 * The origin browsers use when the deployer named it (the public URL, else the custom domain); undefined when it is
 * the CloudFront distribution's own domain, known only once deployed.
 */
export function namedPublicOrigin(settings: Pick<Settings, 'publicUrl' | 'customDomain'>): string | undefined {
  if (settings.publicUrl) return new URL(settings.publicUrl).origin;
  return settings.customDomain ? `https://${settings.customDomain}` : undefined;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Reads and checks the settings; `tryGetContext` is the app's (`app.node.tryGetContext`). */
export function readSettings(tryGetContext: (key: string) => unknown, root: string): Settings {
  const raw = Object.fromEntries(Object.entries(CONTEXT).map(([name, key]) => [name, tryGetContext(key)]));
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success)
    throw new SettingsError(
      `Konteks CDK tidak valid:\n${parsed.error.issues
        .map((i) => `  ${CONTEXT[i.path[0] as keyof typeof CONTEXT] ?? i.path.join('.')}: ${i.message}`)
        .join('\n')}`,
    );
  const directory = join(root, 'config', 'pemda', `${parsed.data.pemda}.yaml`);
  if (!existsSync(directory)) throw new SettingsError(`${CONTEXT.pemda}: direktori pemda ${directory} tidak ada`);
  return parsed.data;
}
