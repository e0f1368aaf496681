import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { BsreUser, LocalBsre } from './local-bsre.ts';

/**
 * The BSrE users of the embedded local default: the Kota Contoh officials who sign (Kota Contoh signs through the
 * local BSrE service), each with a development passphrase, registered in the local BSrE service on every start.
 *
 * No passphrase is stored anywhere: each is derived (HMAC-SHA-256) from a random seed made on first start in the
 * local BSrE data directory (`<data>/bsre/benih-passphrase`), and the service keeps only its scrypt hash. A developer
 * reads them with `npm run bsre-lokal` (see `./cli.ts`). NIKs are fictional (they begin with 99, which no province
 * has) and, like every BSrE identity, live in the data directory, never in config/ or the repository.
 */
export const BSRE_PEMDA = 'kota-contoh';

/** Who signs in Kota Contoh, and who is registered without a certificate (to show NO_CERTIFICATE locally). */
const SIGNERS = ['walikota', 'sekda', 'asisten-1', 'plh-asisten-1', 'kabag-ks'] as const;
const WITHOUT_CERTIFICATE = ['kasubbag-ks'] as const;

const PemdaSchema = z.object({
  pemda: z.object({ nama: z.string() }).loose(),
  people: z.array(
    z
      .object({ id: z.string(), nama: z.string(), jabatan: z.string(), email: z.string(), nip: z.string().optional() })
      .loose(),
  ),
});

/** One registered official: who they are to the product and to BSrE. Never the passphrase. */
export interface DevelopmentBsreUser extends BsreUser {
  readonly pemda: string;
  readonly personId: string;
}

export function developmentUsers(configDir: string): DevelopmentBsreUser[] {
  const file = join(configDir, 'pemda', `${BSRE_PEMDA}.yaml`);
  const config = PemdaSchema.parse(parseYaml(readFileSync(file, 'utf8')));
  const wanted: readonly string[] = [...SIGNERS, ...WITHOUT_CERTIFICATE];
  return config.people
    .filter((p) => wanted.includes(p.id))
    .map((p) => ({
      pemda: BSRE_PEMDA,
      personId: p.id,
      nik: fictionalNik(p.id),
      email: p.email,
      nama: p.nama,
      jabatan: p.jabatan,
      ...(p.nip ? { nip: p.nip } : {}),
      instansi: config.pemda.nama,
      sertifikat: !(WITHOUT_CERTIFICATE as readonly string[]).includes(p.id),
    }));
}

/** A fictional 16-digit NIK, stable per person: 99 (no such province) and 14 digits from the person id. */
function fictionalNik(personId: string): string {
  const digits = createHmac('sha256', 'nik-fiktif').update(personId).digest().readBigUInt64BE() % 10n ** 14n;
  return `99${digits.toString().padStart(14, '0')}`;
}

/** The seed of the development passphrases, created on first use in the local BSrE data directory. */
function passphraseSeed(bsreDir: string): Buffer {
  const file = join(bsreDir, 'benih-passphrase');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

/** The development passphrase of one official of this data directory ("walikota-7fk2m9qd"). */
export function developmentPassphrase(bsreDir: string, personId: string): string {
  const mac = createHmac('sha256', passphraseSeed(bsreDir)).update(personId).digest();
  return `${personId}-${mac.toString('base64url').replace(/[-_]/g, '').slice(0, 10).toLowerCase()}`;
}

/**
 * Registers the development users in the local BSrE service (the passphrase goes only to its hash) and writes their
 * BSrE identities where the product reads them locally (`<data>/identitas-bsre.json`; Secrets Manager in AWS).
 */
export async function registerDevelopmentUsers(
  bsre: LocalBsre,
  options: { bsreDir: string; configDir: string; identitiesFile: string },
): Promise<DevelopmentBsreUser[]> {
  const users = developmentUsers(options.configDir);
  await Promise.all(users.map((u) => bsre.register(u, developmentPassphrase(options.bsreDir, u.personId))));
  const identities = Object.fromEntries(users.map((u) => [`${u.pemda}/${u.personId}`, { nik: u.nik, email: u.email }]));
  writeFileSync(options.identitiesFile, JSON.stringify(identities, null, 2), { mode: 0o600 });
  return users;
}
