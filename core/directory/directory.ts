import { createHash } from 'node:crypto';
import { z } from 'zod';
import { WorkingHoursSchema } from '../calendar/calendar-schema.ts';
import { PemantauanSchema } from '../agreement/agreement-model.ts';
import { PengingatSchema } from '../case/reminders.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import type { SignatureProvider } from '../ports.ts';
import { NumberingConfigSchema } from '../register/numbering.ts';

/**
 * The per-pemda directory: who holds each actor's jabatan (a person, or a pool such as several Penata Kelola),
 * from when to when, and who acts for whom (Plt/Plh). One YAML file per pemda under `config/pemda/`.
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'format tanggal YYYY-MM-DD');

export const PersonSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    nama: z.string().min(1),
    jabatan: z.string().min(1),
    nip: z
      .string()
      .regex(/^\d{18}$/, 'NIP 18 digit')
      .optional(),
    pangkat: z.string().optional(),
    email: z.email(),
    /** The person's superior (for escalation). */
    atasan: z.string().optional(),
  })
  .strict();
export type Person = z.infer<typeof PersonSchema>;

const Assignment = z.object({ person: z.string(), from: isoDate.optional(), to: isoDate.optional() }).strict();

/** The pemda as a party and as the sender of letters. */
export const DokumenPemdaSchema = z
  .object({
    /** Where its documents are dated ("Kota Contoh, 23 November 2026"; "Kanigoro"). */
    tempat: z.string().min(1),
    /** Paper of its documents: A4, or F4 (folio, 215 × 330 mm) where the pemda's tata naskah still uses it. */
    kertas: z.enum(['A4', 'F4']).default('A4'),
    /** Telepon, laman, pos-el as one kop line. */
    kontak: z.string().min(1).optional(),
    /** The kepala daerah who signs agreements: the directory role and the jabatan as printed ("WALIKOTA CONTOH"). */
    kepalaDaerah: z.object({ role: z.string().min(1), jabatan: z.string().min(1) }).strict(),
    /**
     * The role that signs the unit's letters (surat undangan, nota dinas, surat pengantar) "a.n." the kepala daerah,
     * usually the Kepala Bagian; without it, whoever decided the step signs.
     */
    penandatanganSurat: z.string().min(1).optional(),
    /** The contact unit named in the Pasal Penghubung of its agreements. */
    penghubung: z
      .object({
        unit: z.string().min(1),
        alamat: z.string().min(1),
        pejabat: z.string().min(1).optional(),
        telepon: z.string().min(1).optional(),
        email: z.string().min(1).optional(),
      })
      .strict(),
  })
  .strict();
export type DokumenPemda = z.infer<typeof DokumenPemdaSchema>;

/**
 * How the pemda's officials sign (core/ports.ts `Signer`): `bsre` — a certified TTE through the BSrE eSign API, the
 * official giving their passphrase or a BeSign TOTP on the signing page; `kms` — an AWS KMS key per official, its
 * certificate issued by the pemda's CA; `pengembangan` — the development CA of the embedded default (never a
 * certified signature). The pemda's electronic seal (the Lembar Riwayat) is signed by a key the product holds.
 * BSrE identities (NIK, email) are personal data and never appear here: they are kept in the data directory locally
 * and in Secrets Manager in AWS.
 */
export const TandaTanganSchema = z
  .object({
    penyedia: z.enum(['bsre', 'kms', 'pengembangan'] satisfies SignatureProvider[]).default('pengembangan'),
    segel: z.enum(['kms', 'pengembangan']).default('pengembangan'),
    /**
     * `kms`: the pemda CA's published CRL (DER or PEM, a file under config/sertifikat/), put in each signature's /DSS
     * so that it validates after the certificate expires (PAdES B-LT); without it `kms` signatures are B-T.
     */
    crl: z
      .string()
      .regex(/^[a-z0-9][a-z0-9./-]*\.(crl|der|pem)$/)
      .optional(),
    /** `bsre`: whether the signing page offers a TOTP from BeSign as well as the passphrase. */
    totp: z.boolean().default(true),
    /**
     * `kms`: per person id (or "segel"), the KMS key (id, ARN or alias) and its certificate chain as a PEM file under
     * config/sertifikat/ (the issued certificate first, then its issuers), installed by `npm run sepakat -- kms-pasang`.
     */
    kms: z
      .record(
        z.string().min(1),
        z.object({ kunci: z.string().min(1), sertifikat: z.string().regex(/^[a-z0-9][a-z0-9./-]*\.pem$/) }).strict(),
      )
      .default({}),
  })
  .strict();
export type TandaTangan = z.infer<typeof TandaTanganSchema>;

export const DirectorySchema = z
  .object({
    pemda: z
      .object({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
        nama: z.string().min(1),
        /** Kop lines for documents and emails. */
        kop: z.array(z.string().min(1)).min(1),
        alamat: z.string().optional(),
        /** Time zone and working hours per ISO weekday (1 = Senin); see core/calendar/calendar-schema.ts. */
        jamKerja: WorkingHoursSchema,
        /** What the pemda's documents print: see DokumenPemdaSchema. */
        dokumen: DokumenPemdaSchema,
      })
      .strict(),
    /** The register of numbers: one sequence per series and year (core/register/numbering.ts). */
    penomoran: NumberingConfigSchema,
    /** When open tasks are reminded and escalated to the atasan (core/case/reminders.ts); defaults when absent. */
    pengingat: PengingatSchema.prefault({}),
    /** How signed agreements are monitored (core/agreement/agreement-model.ts); defaults when absent. */
    pemantauan: PemantauanSchema.prefault({}),
    /** How its officials sign (TandaTanganSchema); the development CA when absent. */
    tandaTangan: TandaTanganSchema.prefault({}),
    people: z.array(PersonSchema).min(1),
    /** Actor id (as in the SOPs) → who holds it; several current holders make a pool. */
    roles: z.record(z.string(), z.array(Assignment).min(1)),
    /** Acting officials: Plt (pelaksana tugas) or Plh (pelaksana harian) for a role over a period. */
    acting: z
      .array(
        z
          .object({ person: z.string(), role: z.string(), sebagai: z.enum(['Plt', 'Plh']), from: isoDate, to: isoDate })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type DirectoryData = z.infer<typeof DirectorySchema>;

/** The person a task is bound to when it opens, with how they hold the role. */
export interface BoundPerson extends Person {
  readonly role: string;
  /** "Plt" or "Plh" when acting for the holder. */
  readonly sebagai?: 'Plt' | 'Plh';
}

export interface Directory {
  readonly data: DirectoryData;
  person(id: string): Person | undefined;
  /** Everyone who may hold `role` on `date` (local date, YYYY-MM-DD): acting officials first. */
  holders(role: string, date: string): BoundPerson[];
  /**
   * Binds a task to one person. A pool is spread deterministically by `spreadKey` (case and activation), so
   * a replayed opening binds the same person.
   */
  bind(role: string, date: string, spreadKey: string): BoundPerson;
}

export function createDirectory(data: DirectoryData, file = 'direktori'): Directory {
  const people = new Map(data.people.map((p) => [p.id, p]));
  const problems: string[] = [];
  for (const [role, list] of Object.entries(data.roles))
    for (const a of list) if (!people.has(a.person)) problems.push(`roles.${role}: orang "${a.person}" tidak ada`);
  for (const a of data.acting) if (!people.has(a.person)) problems.push(`acting: orang "${a.person}" tidak ada`);
  for (const p of data.people)
    if (p.atasan && !people.has(p.atasan)) problems.push(`people.${p.id}.atasan: orang "${p.atasan}" tidak ada`);
  if (problems.length)
    throw new SepakatError(ErrorNames.InvalidDefinition, problems.map((p) => `${file}: ${p}`).join('\n'));

  const within = (date: string, from?: string, to?: string) => (!from || from <= date) && (!to || date <= to);

  const holders = (role: string, date: string): BoundPerson[] => {
    const acting = data.acting
      .filter((a) => a.role === role && within(date, a.from, a.to))
      .map((a) => ({ ...people.get(a.person)!, role, sebagai: a.sebagai }));
    if (acting.length) return acting;
    return (data.roles[role] ?? [])
      .filter((a) => within(date, a.from, a.to))
      .map((a) => ({ ...people.get(a.person)!, role }));
  };

  return {
    data,
    person: (id) => people.get(id),
    holders,
    bind(role, date, spreadKey) {
      const candidates = holders(role, date);
      if (!candidates.length)
        throw new SepakatError(
          ErrorNames.NotFound,
          `Tidak ada pejabat untuk peran "${role}" pada ${date} di direktori ${data.pemda.id}`,
        );
      const index = createHash('sha256').update(spreadKey).digest().readUInt32BE(0) % candidates.length;
      return candidates[index]!;
    },
  };
}
