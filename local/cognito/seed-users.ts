import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ROLES, type Principal } from '../../core/access/access.ts';
import { DirectorySchema } from '../../core/directory/directory.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';

/**
 * The console users of the embedded local default: one file per pemda, `config/pengguna/<pemda>.yaml`, seeded into
 * cognito-local on start. Passwords here are for local development only; AWS accounts are created by an
 * administrator (AdminCreateUser, temporary password, then MFA) and never read this file. The Lambda bundles do not
 * carry it (infra/functions.ts copies only config/pemda and config/calendar).
 */
const password = z.string().min(12, 'minimal 12 karakter');

export const SeedUsersSchema = z
  .object({
    /** The pemda of every user in the file; the file is named after it. */
    pemda: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    /** Password of every user of the file unless the user names their own. Local development only. */
    kataSandi: password,
    pengguna: z
      .array(
        z
          .object({
            email: z.email(),
            /** Display name; default: the directory person's (`pegawai`). */
            nama: z.string().min(1).optional(),
            peran: z.array(z.enum(ROLES)).min(1),
            /** The unit: an SOP kop line for staff ("BAGIAN TATA PEMERINTAHAN"), the instansi for a pemohon. */
            unit: z.string().min(1),
            /** The person in config/pemda/<pemda>.yaml, for staff who hold SOP roles. */
            pegawai: z.string().min(1).optional(),
            kataSandi: password.optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** A user to create: the principal it signs in as (its `sub` given by the user pool), and its password. */
export interface SeedUser extends Omit<Principal, 'sub'> {
  password: string;
}

const fail = (message: string): never => {
  throw new SepakatError(ErrorNames.InvalidDefinition, message);
};

/**
 * Every user of `<configDir>/pengguna/*.yaml`, checked against the pemda directories: the file's pemda exists and is
 * the file's name, each `pegawai` is a person of that pemda, no email twice. Errors name the file and the field.
 */
export function loadSeedUsers(configDir: string): SeedUser[] {
  const dir = join(configDir, 'pengguna');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return [];
  }
  const users: SeedUser[] = [];
  const seen = new Map<string, string>();
  for (const name of files.sort()) {
    const file = join(dir, name);
    const parsed = SeedUsersSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
    if (!parsed.success) fail(parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`).join('\n'));
    const data = parsed.data!;
    if (basename(name).replace(/\.ya?ml$/, '') !== data.pemda)
      fail(`${file}: pemda "${data.pemda}" harus sama dengan nama berkas`);
    let people: Map<string, string>;
    try {
      const directory = DirectorySchema.parse(
        parseYaml(readFileSync(join(configDir, 'pemda', `${data.pemda}.yaml`), 'utf8')),
      );
      people = new Map(directory.people.map((p) => [p.id, p.nama]));
    } catch (error) {
      return fail(`${file}: direktori pemda "${data.pemda}" tidak dapat dibaca: ${String(error)}`);
    }
    data.pengguna.forEach((u, i) => {
      const email = u.email.toLowerCase();
      const where = `${file}: pengguna.${i}`;
      if (seen.has(email)) fail(`${where}.email: ${email} sudah ada di ${seen.get(email)}`);
      seen.set(email, file);
      if (u.pegawai && !people.has(u.pegawai))
        fail(`${where}.pegawai: "${u.pegawai}" tidak ada di config/pemda/${data.pemda}.yaml`);
      const nama = u.nama ?? (u.pegawai ? people.get(u.pegawai) : undefined);
      if (!nama) fail(`${where}.nama: wajib diisi bila pegawai tidak diisi`);
      users.push({
        email,
        nama: nama!,
        roles: [...new Set(u.peran)],
        pemdaId: data.pemda,
        unit: u.unit,
        ...(u.pegawai ? { personId: u.pegawai } : {}),
        password: u.kataSandi ?? data.kataSandi,
      });
    });
  }
  return users;
}
