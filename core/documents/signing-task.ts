import type { TaskRecord } from '../case/model.ts';
import type { Activity } from '../sop/load-sop.ts';
import { NASKAH, type StepDocument } from '../sop/schema.ts';
import type { DocumentRecord } from './document-record.ts';
import type { SigningCredential } from '../ports.ts';

/**
 * A signing task: a task whose official initials or signs a document with their own act (not an external party's
 * paraf or signature recorded from paper). Whatever the document, the task goes the same way:
 *
 * 1. when it opens, the document is rendered for its bound person and stored with the images of its pages (again,
 *    for the new person, after a reassignment or delegation: a new *binding*);
 * 2. the task page shows those pages inline, the document's content version and SHA-256, and asks the official to
 *    confirm having read every page; the button names the act;
 * 3. the official's POST carries the SHA-256 shown: a document that is no longer that one is refused; a signature
 *    is made over exactly the shown bytes and stored before the decision is recorded (a paraf is recorded with the
 *    version and SHA-256 it was given on).
 *
 * The pure rules of that flow live here; the documents are made and signed in core/documents/document-actions.ts,
 * the form is checked in core/case/task-actions.ts.
 */
export type SigningAct =
  | {
      act: 'tandatangan';
      /** The choice that signs (the others, such as a return, sign nothing). */
      choice: string;
      dokumen: StepDocument;
      /** The purpose of the number the signed document carries. */
      nomor: string;
      /** The series the number is taken from as the task opens, when no earlier step reserved it (letters). */
      seri?: string;
    }
  | { act: 'paraf'; choice: string; dokumen: StepDocument; jenis: 'hierarki' | 'koordinasi' };

/** The naskah whose konsep a paraf initials (the only document a `paraf` action is over). */
export const PARAF_DOCUMENT: StepDocument = NASKAH;

/** What the official's own signing task asks of them; undefined for every other task. */
export function signingActOf(activity: Activity): SigningAct | undefined {
  // An external party's paraf or signature is recorded by an official from the party's paper: not their own act.
  if (activity.actor.kind !== 'internal') return undefined;
  for (const choice of activity.choices)
    for (const work of choice.automatic) {
      if (work.action === 'tandatangan')
        return {
          act: 'tandatangan',
          choice: choice.value,
          dokumen: work.dokumen,
          nomor: work.nomor,
          ...(work.seri ? { seri: work.seri } : {}),
        };
      if (work.action === 'paraf')
        return { act: 'paraf', choice: choice.value, dokumen: PARAF_DOCUMENT, jenis: work.jenis };
    }
  return undefined;
}

/**
 * The binding of a task to its person: 0 as opened, then the link version each reassignment or delegation issued
 * (a renewed link keeps the binding: the same person, the same document).
 */
export const bindingOf = (task: Pick<TaskRecord, 'dialihkan'>): number => task.dialihkan?.version ?? 0;

/** The purpose of the document a task shows its bound person (one per activation and binding). */
export const shownPurpose = (task: Pick<TaskRecord, 'caseId' | 'seq' | 'dialihkan'>): string =>
  `${task.caseId}#${task.seq}#tampil#b${bindingOf(task)}`;

/**
 * The purpose of the signed document of an activation and binding: the signature is its bound person's, so a task
 * reassigned after a signature was made (a race with the decision) is signed anew by the new person, never recorded
 * over the other's signature. The first binding keeps the purpose signed naskah always had.
 */
export const signedPurpose = (task: Pick<TaskRecord, 'caseId' | 'seq' | 'dialihkan'>): string =>
  `${task.caseId}#${task.seq}#naskah-ditandatangani${bindingOf(task) ? `#b${bindingOf(task)}` : ''}`;

/** The letters an official signs on a signing task (the naskah is the other signed document). */
export const SIGNED_LETTERS: ReadonlySet<string> = new Set(['surat-undangan', 'surat-pengantar', 'nota-dinas']);

/** The kind under which the document to be signed is kept (a paraf's is the konsep itself). */
export const SHOWN_KIND: Record<SigningAct['act'], string> = {
  tandatangan: 'naskah-untuk-ditandatangani',
  paraf: 'konsep-naskah',
};

/** What the button of a signing task says: the act, not "Kirim keputusan". */
export const ACT_BUTTON: Record<SigningAct['act'], string> = {
  paraf: 'Bubuhkan paraf',
  tandatangan: 'Tandatangani secara elektronik',
};

/** The confirmation the official ticks before the act. */
export const READ_CONFIRMATION = 'Saya telah membaca seluruh halaman dokumen ini';

/** The form fields of the act: the confirmation (value "ya") and the SHA-256 of the document shown. */
export const SIGNING_FIELDS = {
  dibaca: 'sudahDibaca',
  sha256: 'sha256Dokumen',
  /** The TTE passphrase (`bsre`): used for the one sign request, never stored, logged or shown again. */
  passphrase: 'passphraseTte',
  /** A TOTP from BeSign instead of the passphrase (`bsre`). */
  totp: 'totpTte',
} as const;

/** The credential a `bsre` signature is made with, from the form: a TOTP when one is typed, else the passphrase. */
export function credentialOf(form: Readonly<Record<string, string | undefined>>): SigningCredential | undefined {
  const totp = (form[SIGNING_FIELDS.totp] ?? '').replace(/\s+/g, '');
  if (totp) return { totp };
  const passphrase = form[SIGNING_FIELDS.passphrase] ?? '';
  return passphrase ? { passphrase } : undefined;
}

/** The form without the credential: what may be drawn again on the page (a refused form never echoes it). */
export function withoutCredential(form: Record<string, string>): Record<string, string> {
  const { [SIGNING_FIELDS.passphrase]: _p, [SIGNING_FIELDS.totp]: _t, ...rest } = form;
  return rest;
}

/** Why a signing form is refused, by form field; empty when it may go on. Nothing is signed or recorded on refusal. */
export function checkSigningForm(
  form: Readonly<Record<string, string | undefined>>,
  act: SigningAct,
  shown: Pick<DocumentRecord, 'sha256'> | undefined,
  /** The pemda signs through BSrE: the official gives their passphrase or a TOTP. */
  needsCredential = false,
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (needsCredential && act.act === 'tandatangan' && !credentialOf(form))
    errors[SIGNING_FIELDS.passphrase] = 'Passphrase TTE wajib diisi (atau kode TOTP dari aplikasi BeSign)';
  const totp = (form[SIGNING_FIELDS.totp] ?? '').replace(/\s+/g, '');
  if (needsCredential && totp && !/^\d{6,8}$/.test(totp))
    errors[SIGNING_FIELDS.totp] = 'Kode TOTP terdiri atas 6 sampai 8 angka dari aplikasi BeSign';
  const what = act.act === 'paraf' ? 'diparaf' : 'ditandatangani';
  if (!shown) {
    errors.dokumen = `Dokumen yang akan ${what} belum siap; muat ulang halaman ini sebentar lagi`;
    return errors;
  }
  if ((form[SIGNING_FIELDS.dibaca] ?? '') !== 'ya')
    errors[SIGNING_FIELDS.dibaca] = `Centang "${READ_CONFIRMATION}" sebelum dokumen ${what}`;
  const sent = (form[SIGNING_FIELDS.sha256] ?? '').trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sent))
    errors.dokumen = 'Formulir tidak menyebut dokumen yang dibaca; muat ulang halaman ini lalu periksa dokumennya';
  else if (sent !== shown.sha256)
    errors.dokumen = `Dokumen yang akan ${what} bukan lagi dokumen yang Anda baca (SHA-256 berbeda); periksa kembali halaman-halamannya di bawah`;
  return errors;
}
