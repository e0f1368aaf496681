import { createHash, randomBytes, randomInt } from 'node:crypto';
import { ErrorNames, isSepakatError, SepakatError } from '../errors.ts';
import {
  acceptLabel,
  acceptUpload,
  formatBytes,
  MAX_PRESIGN_SECONDS,
  type FileStore,
} from '../files/accepted-files.ts';
import { CONTENT_TYPES, kindFromName, safeFileName } from '../files/sniff.ts';
import type { Activity } from '../sop/load-sop.ts';
import type { Automatic, Field } from '../sop/schema.ts';
import { parseNumber } from '../register/numbering.ts';
import { CODE_LIMIT, credentialWindowFull, nextWindowAt, TTE_CREDENTIAL_LIMIT, windowCheck } from './link-limits.ts';
import { checkLink, otpHash, sameHash } from './capabilities.ts';
import type { CaseRecord, Decision, HistoryEvent, StoredFile, TaskRecord } from './model.ts';
import { taskPageHistory } from './case-view.ts';
import type { CaseRuntime, RuntimeDeps } from './case-runtime.ts';
import { mailFailure, type MailOutcome } from './mail-once.ts';
import { NASKAH_VERSI, type EditResult, type NaskahDrafts } from '../naskah/drafts.ts';
import { checkContent, type NaskahContent } from '../naskah/content.ts';
import type { NaskahVersion } from '../naskah/versions.ts';
import { parseDaftarHadir } from '../validation/daftar-hadir.ts';
import { tandaTanganKurang } from '../documents/assemble.ts';
import { checkRapat, RAPAT_FIELDS, rapatOf } from './rapat.ts';
import { catatan, checkField, checkText, isEmailAddress } from '../validation/text.ts';
import type { DocumentRecord } from '../documents/document-record.ts';
import {
  checkSigningForm,
  credentialOf,
  SIGNING_FIELDS,
  signingActOf,
  withoutCredential,
  type SigningAct,
} from '../documents/signing-task.ts';
import type { SigningCredential, SigningReadiness } from '../ports.ts';
import { SigningErrorCodes } from '../signing/signing-errors.ts';

export { acceptLabel, formatBytes } from '../files/accepted-files.ts';

export interface TaskActionsDeps extends RuntimeDeps {
  /** The key of paraf and signature codes (their stored HMAC), apart from the action-link key. */
  codeKey: () => Buffer;
  files: FileStore;
  documentsBucket: string;
  maxUploadBytes: number;
  /** The naskah drafted by pasal: a drafting step's form carries the pasal editor (core/naskah). */
  drafts?: NaskahDrafts;
  /** Whether a number text is already in a pemda's register (for numbers entered from SRIKANDI). */
  numberInUse?(pemdaId: string, numberText: string): Promise<{ caseId?: string } | undefined>;
}

/** Why a link shows an error page instead of the task. Every one changes nothing. */
export type LinkProblem =
  | { problem: 'rusak' }
  | { problem: 'orang-lain' }
  | { problem: 'diganti' }
  | { problem: 'kedaluwarsa'; task: TaskRecord }
  /** The task had its share of fresh links in the current window; `nextAt` is when the next one may be asked for. */
  | { problem: 'batas-tautan'; task: TaskRecord; nextAt: string }
  | { problem: 'selesai'; task: TaskRecord; sameSubmission: boolean }
  | { problem: 'ditutup'; task: TaskRecord; record: CaseRecord };

export interface TaskView {
  task: TaskRecord;
  record: CaseRecord;
  activity: Activity;
  needsCode: boolean;
  /** A signing task: its act, and the document its page shows (undefined until made for the bound person). */
  signing?: { act: SigningAct; document: DocumentRecord | undefined };
  /** The documents stored for the case, when the opening was asked to list them (`open`'s `withDocuments`). */
  documents?: DocumentRecord[];
  /** The history a task page shows (`taskPageHistory`), when the opening was asked to read it (`withPageHistory`). */
  history?: HistoryEvent[];
}

export type FormErrors = Record<string, string>;

export type SubmitResult =
  /** `record`: the case as the submit read it (before the decision): what the confirmation page names. */
  | { result: 'tercatat'; task: TaskRecord; record: CaseRecord; reported: boolean }
  /** Another submit of the same task is signing right now: nothing was done by this one. */
  | { result: 'sedang-ditandatangani'; task: TaskRecord }
  | {
      result: 'tidak-valid';
      view: TaskView;
      errors: FormErrors;
      form: Record<string, string>;
      /** The naskah was saved by someone else since the form was drawn: the latest, and what this form held. */
      naskahBasi?: { current: NaskahVersion; mine: NaskahContent; base: number };
    }
  | LinkProblem;

/**
 * What a code request answers: sent (to the masked address), not needed here, a link problem, or the link had its
 * share of codes in the current window (`nextAt`: when the next may be asked for; the page offers a fresh link).
 */
export type SendCodeResult =
  /** `view`: the task page as it is now, the stored code included (from the write that stored it). */
  | { sent: true; to: string; view: TaskView }
  /** The mail service refused the bound person's address for good: no code was sent, none counted. */
  | { rejected: true; to: string }
  | { error: string }
  | { limited: true; nextAt: string; to: string; pemdaId: string }
  | LinkProblem;

const CODE_TTL_MS = 10 * 60_000;
/** How long a signing request holds its claim: past it (the process died), the official may sign again. */
const SIGNATURE_CLAIM_MS = 2 * 60_000;
const MAX_CODE_ATTEMPTS = 5;

/** What a person does through an emailed link: look (GET), upload, ask for a code or a fresh link, decide (POST). */
export class TaskActions {
  constructor(
    private readonly deps: TaskActionsDeps,
    private readonly runtime: CaseRuntime,
  ) {}

  /**
   * A number the official entered from SRIKANDI (a `nomor` action's `srikandi` field) must fit the series pattern
   * of the pemda and must not be in the register for another case: refused here, before anything is recorded.
   */
  private async checkNumbers(view: TaskView, values: Decision['values']): Promise<{ field: string; error: string }[]> {
    const problems: { field: string; error: string }[] = [];
    const actions = activityAutomatics(view.activity).filter((a) => a.action === 'nomor');
    for (const action of actions) {
      if (action.action !== 'nomor' || !action.srikandi) continue;
      const text = values[action.srikandi];
      if (typeof text !== 'string' || !text) continue;
      const series = this.deps.pemda(view.record.pemdaId).directory.data.penomoran.series[action.seri];
      if (!series) continue;
      const parsed = parseNumber(series.pattern, text);
      if (!parsed.ok) {
        problems.push({ field: action.srikandi, error: parsed.error });
        continue;
      }
      const used = await this.deps.numberInUse?.(view.record.pemdaId, parsed.text);
      if (used && used.caseId !== view.record.caseId)
        problems.push({
          field: action.srikandi,
          error: `Nomor ${parsed.text} sudah tercatat di register untuk naskah lain`,
        });
    }
    return problems;
  }

  /**
   * A `pegawai` field names a person of the pemda's directory; the pimpinan rapat and the notulis sign the notulen,
   * so each must be able to sign (NIP and pangkat below the Sekda).
   */
  private checkPeople(view: TaskView, values: Decision['values']): { field: string; error: string }[] {
    const pemda = this.deps.pemda(view.record.pemdaId);
    const kepalaDaerah = pemda.directory.data.pemda.dokumen.kepalaDaerah.jabatan;
    const problems: { field: string; error: string }[] = [];
    for (const field of view.activity.fields) {
      const id = values[field.id];
      if (field.type !== 'pegawai' || typeof id !== 'string') continue;
      const person = pemda.directory.person(id);
      if (!person) {
        problems.push({ field: field.id, error: `${field.label}: pilih pegawai dari daftar` });
        continue;
      }
      if (field.id === RAPAT_FIELDS.pimpinan || field.id === RAPAT_FIELDS.notulis) {
        const kurang = tandaTanganKurang(person, kepalaDaerah);
        if (kurang) problems.push({ field: field.id, error: `${field.label}: ${kurang}` });
      }
    }
    return problems;
  }

  /**
   * Resolves a link to its task, or the reason it cannot be used. A GET calls only this: it never acts.
   * `withDocuments` (the task page, which lists them): the case's documents are listed alongside the case's read, once
   * the link is known good and its task open, and a signing task's shown document is taken from that list (its
   * record is written once and never changed) instead of a read of its own; one the list does not have yet (the index
   * is eventually consistent) is read. `withPageHistory` (the task page's GET): the history it shows is read alongside
   * too, in the same round trip instead of one after it.
   */
  async open(
    token: string,
    submissionId?: string,
    options: { withDocuments?: boolean; withPageHistory?: boolean } = {},
  ): Promise<TaskView | LinkProblem> {
    const linked = await this.linkedTask(token);
    if ('problem' in linked) return linked;
    const task = linked;
    const open = task.state === 'open';
    const listing =
      options.withDocuments && this.deps.documents && open ? this.deps.documents.caseDocuments(task.caseId) : undefined;
    const facts = options.withPageHistory && open ? taskPageHistory(this.deps.store, task.caseId) : undefined;
    // Without the listing (a POST), a signing task's shown document is read alongside the case too: the SOP version
    // the task records tells that its step signs (a move to another version replaces the open tasks).
    const early = !listing && open && this.deps.documents && this.signsByItsVersion(task);
    const shownEarly = early ? this.deps.documents!.shownDocument(task) : undefined;
    // The reads are awaited whatever the case read brings (no promise is left to reject unheard).
    const [record, documents, history, shown] = await Promise.all([
      this.runtime.requireCase(task.caseId),
      listing,
      facts,
      shownEarly,
    ]);
    if (task.state === 'decided' || task.state === 'reported')
      return {
        problem: 'selesai',
        task,
        sameSubmission: !!submissionId && task.decision?.submissionId === submissionId,
      };
    if (task.state === 'cancelled' || record.status !== 'aktif') return { problem: 'ditutup', task, record };
    if (this.expired(task)) return { problem: 'kedaluwarsa', task };
    const activity = this.runtime.activityOf(record, task.node);
    const act = this.deps.documents ? signingActOf(activity) : undefined;
    // A paraf or signature by the official themself needs a second factor; an external party's (recorded from
    // their signed paper) does not.
    return {
      task,
      record,
      activity,
      needsCode: activity.kind !== 'biasa' && activity.actor.kind === 'internal',
      ...(act
        ? { signing: { act, document: shownEarly ? shown : await this.deps.documents!.shownDocument(task, documents) } }
        : {}),
      ...(documents ? { documents } : {}),
      ...(history ? { history } : {}),
    };
  }

  /** Whether the task's step signs a document, by the SOP version the task records (false when it records none). */
  private signsByItsVersion(task: TaskRecord): boolean {
    try {
      const activity = this.runtime.activityOfTask(task);
      return !!activity && !!signingActOf(activity);
    } catch {
      return false;
    }
  }

  /**
   * The image of page `page` (1-based) of the document a signing task shows, read through the task's link (a GET:
   * reads only). Undefined when the link is not (or no longer) the open task's, when the task shows no document, or
   * when it has no such page: the page answers all of these alike (not found).
   */
  async pageImage(token: string, page: number): Promise<Uint8Array | undefined> {
    // A signing page fetches each of its pages: each reads the task and the document it shows, not the case. The
    // document is the task's own (its id comes from the task and its person), so a task that shows none has none;
    // and a case that closes cancels its open tasks. Between that closing and the cancel, an image of a page already
    // shown is still served: a read, which decides nothing (the decision's POST reads the case).
    const task = await this.linkedTask(token);
    if ('problem' in task || task.state !== 'open') return undefined;
    if (this.expired(task)) return undefined;
    if (!this.deps.documents || !Number.isInteger(page) || page < 1) return undefined;
    const shown = await this.deps.documents.shownDocument(task);
    return shown ? this.deps.documents.shownPage(shown, page - 1) : undefined;
  }

  /**
   * An open, unexpired task and its activity from the SOP version the task records: one read, not the case. A link
   * problem it can tell alone is returned; undefined when the full opening must tell (a task not open, or one that
   * records no SOP version).
   */
  private async openTaskAlone(
    token: string,
  ): Promise<{ task: TaskRecord; activity: Activity } | LinkProblem | undefined> {
    const task = await this.linkedTask(token);
    if ('problem' in task) return task;
    const activity = task.state === 'open' ? this.runtime.activityOfTask(task) : undefined;
    if (!activity) return undefined;
    if (this.expired(task)) return { problem: 'kedaluwarsa', task };
    return { task, activity };
  }

  /** Whether the task's link has expired (a fresh one can be asked for). */
  private expired(task: TaskRecord): boolean {
    return new Date(task.linkExpiresAt).getTime() <= this.deps.clock.now().getTime();
  }

  /** The task a link names, when the link is intact and still its current one for its person (one read). */
  private async linkedTask(token: string): Promise<TaskRecord | LinkProblem> {
    let found: TaskRecord | undefined;
    const taskIdGuess = token.split('.')[0] ?? '';
    if (/^[A-Za-z0-9_-]{22}$/.test(taskIdGuess)) found = await this.deps.store.getTask(taskIdGuess);
    const check = checkLink(this.deps.linkKey(), token, () =>
      found ? { version: found.linkVersion, personId: found.person.id } : undefined,
    );
    if (!check.ok) return { problem: check.reason };
    return found!;
  }

  /** Presigns an upload for one file field of the task (the browser PUTs straight to S3). */
  async requestUpload(
    token: string,
    input: { slot: string; name: string; size: number },
  ): Promise<{ url: string; key: string; contentType: string } | LinkProblem | { error: string }> {
    // A presign decides nothing (the decision's POST checks the upload and reads the case): the open task and the
    // activity of its own SOP version are enough, without the case. Anything else is told by the full opening.
    const view = (await this.openTaskAlone(token)) ?? (await this.open(token));
    if ('problem' in view) return view;
    const field = view.activity.fields.find((f) => f.id === input.slot && f.type === 'file');
    if (!field) return { error: `Isian berkas "${input.slot}" tidak ada pada langkah ini` };
    if (!Number.isInteger(input.size) || input.size <= 0) return { error: 'Ukuran berkas tidak valid' };
    if (input.size > this.deps.maxUploadBytes)
      return { error: `Berkas terlalu besar: paling besar ${formatBytes(this.deps.maxUploadBytes)}` };
    const kind = kindFromName(input.name, field.accept ?? []);
    if (!kind) return { error: `Jenis berkas harus ${acceptLabel(field)}` };
    const key = `kasus/${view.task.caseId}/${String(view.task.seq).padStart(5, '0')}/${field.id}/${this.deps.clock.now().getTime().toString(36)}-${randomInt(1e9).toString(36)}-${safeFileName(input.name)}`;
    const contentType = CONTENT_TYPES[kind];
    const url = await this.deps.files.presignUpload(this.deps.documentsBucket, key, {
      contentType,
      size: input.size,
      expiresSeconds: MAX_PRESIGN_SECONDS,
    });
    return { url, key, contentType };
  }

  /**
   * Sends a one-time code for a paraf or signature to the bound person only, at most `CODE_LIMIT.max` per link in a
   * window of `CODE_LIMIT.windowMs` (one conditional write per grant, so parallel requests cannot exceed it).
   */
  async sendCode(token: string): Promise<SendCodeResult> {
    // The page comes back with the case's documents listed: listed as the link opens.
    const view = await this.open(token, undefined, { withDocuments: true });
    if ('problem' in view) return view;
    if (!view.needsCode) return { error: 'Langkah ini tidak memerlukan kode' };
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS).toISOString();
    // The code is stored (and counted) before it is sent, so parallel requests cannot pass the limit; a send the mail
    // service refuses for good takes it back (revokeOtp), so a code nobody received does not count.
    const issued = await this.deps.store.issueOtp(
      view.task.taskId,
      { hash: otpHash(this.deps.codeKey(), view.task.taskId, code), expiresAt },
      windowCheck(CODE_LIMIT, now),
    );
    if (!issued) {
      // Refused: the window is full, or the task moved on meanwhile (read again to tell which, and when).
      const again = await this.open(token);
      if ('problem' in again) return again;
      const nextAt = nextWindowAt(CODE_LIMIT, again.task.otpWindowStart, now).toISOString();
      return { limited: true, nextAt, to: maskEmail(again.task.person.email), pemdaId: again.record.pemdaId };
    }
    const rendered = this.deps.emails.render('kode-otp', {
      person: view.task.person,
      perihal: view.record.perihal,
      caseId: view.record.caseId,
      kode: code,
      tindakan: view.activity.kind === 'paraf' ? 'paraf' : 'tanda tangan',
      berlakuMenit: CODE_TTL_MS / 60_000,
    });
    // Codes are not idempotent by design: each request is a new code and a new message.
    const to = [view.task.person.email];
    try {
      await this.deps.mailer.send({
        messageId: `<otp-${createHash('sha256').update(`${view.task.taskId}|${now.toISOString()}|${code}`).digest('hex').slice(0, 24)}@${this.deps.mailDomain}>`,
        caseId: view.task.caseId,
        to,
        ...rendered,
      });
    } catch (error) {
      if (!isSepakatError(error, ErrorNames.MailRejected)) throw error;
      await this.deps.store.revokeOtp(view.task.taskId, expiresAt);
      // One fact per link version, however often the official asks again.
      const eventKey = `${String(view.task.seq).padStart(5, '0')}#email#kode#v${view.task.linkVersion}`;
      await this.runtime.history(
        mailFailure(view.task.caseId, eventKey, now, {
          to,
          subject: rendered.subject,
          template: 'kode-otp',
          alasan: error.message,
        }),
      );
      return { rejected: true, to: maskEmail(view.task.person.email) };
    }
    return { sent: true, to: maskEmail(view.task.person.email), view: { ...view, task: issued } };
  }

  /**
   * A fresh link (an expired one's, or a valid one's whose codes ran out), sent to the bound person only, never to
   * whoever clicked; the old link dies and the fresh one starts with a clean code count. At most
   * `FRESH_LINK_LIMIT.max` per task in a window of `FRESH_LINK_LIMIT.windowMs`, so a link cannot flood the mailbox.
   */
  async renewLink(token: string): Promise<{ sent: boolean; to: string } | LinkProblem> {
    const view = await this.open(token);
    if ('problem' in view && view.problem !== 'kedaluwarsa') return view;
    const sent = await this.sendFreshLink('problem' in view ? view.task : view.task);
    return 'problem' in sent ? sent : { sent: sent.mail !== 'ditolak', to: sent.to };
  }

  /**
   * A fresh link for an open task, emailed to its bound person (the old link dies): asked from the expired link's
   * page, or by the person signed in ("Tugas saya", core/case/my-tasks.ts), who then goes on with `task`.
   */
  async sendFreshLink(task: TaskRecord): Promise<{ to: string; task: TaskRecord; mail: MailOutcome } | LinkProblem> {
    const fresh = await this.runtime.renewTaskLink(task, {
      id: task.person.id,
      nama: task.person.nama,
      jabatan: task.person.jabatan,
    });
    if ('moved' in fresh) return { problem: 'diganti' };
    if ('limited' in fresh) return { problem: 'batas-tautan', task: fresh.task, nextAt: fresh.nextAt };
    const renewed = fresh.task;
    const expiresAt = renewed.linkExpiresAt;
    const record = await this.runtime.requireCase(task.caseId);
    const pemda = this.deps.pemda(record.pemdaId);
    const mail = await this.runtime.sendOnce(
      task.caseId,
      `${String(task.seq).padStart(5, '0')}#email#tautan#v${renewed.linkVersion}`,
      {
        to: [task.person.email],
        template: 'tautan-baru',
        model: {
          person: task.person,
          perihal: record.perihal,
          caseId: record.caseId,
          url: this.runtime.taskUrl(renewed),
          tautanBerlakuSampai: pemda.formatDateTime(new Date(expiresAt)),
        },
      },
    );
    return { to: maskEmail(task.person.email), task: renewed, mail };
  }

  /**
   * The pasal editor's buttons on a drafting step (POST): an operation edits the form's content and nothing is
   * stored; a save stores a content version, conditional on the version the form was drawn from. The link is the
   * authority, as for the decision; the author is the task's bound person.
   */
  async editNaskah(
    token: string,
    form: Record<string, string>,
  ): Promise<LinkProblem | { view: TaskView; result: EditResult } | { view: TaskView; notDrafting: true }> {
    const view = await this.open(token);
    if ('problem' in view) return view;
    const { task, record, activity } = view;
    const drafts = this.deps.drafts;
    if (!drafts || !drafts.edits(activity)) return { view, notDrafting: true };
    const result = await drafts.edit(record, form, {
      by: { id: task.person.id, nama: task.person.nama, jabatan: task.person.jabatan },
      at: this.deps.clock.now().toISOString(),
      stepId: activity.stepId,
      seq: task.seq,
    });
    return { view, result };
  }

  /** Decides the task (POST). Acts once: a double submit, a replay or a second person changes nothing. */
  async submit(token: string, sent: Record<string, string>): Promise<SubmitResult> {
    // The TTE passphrase or TOTP (a `bsre` signature) is taken out of the form at once: it goes to the one sign
    // request and nowhere else; a refused form is drawn again without it.
    const credential = credentialOf(sent);
    const form = withoutCredential(sent);
    const submissionId = form.submissionId ?? '';
    const view = await this.open(token, submissionId);
    if ('problem' in view) {
      // A decision stored but never reported (the report failed, or the process died): report it now.
      if (view.problem === 'selesai' && view.task.state === 'decided')
        await this.runtime.settleDecision(view.task).catch(() => 'pending');
      return view;
    }
    const { task, activity } = view;
    const errors: FormErrors = {};
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(submissionId))
      errors.form = 'Formulir tidak lengkap; muat ulang halaman lalu kirim lagi';

    const choice = activity.choices.find((c) => c.value === form.pilihan);
    if (!choice) errors.pilihan = 'Pilih salah satu keputusan';
    const checkedNote = checkField(CATATAN_TUGAS, form.catatan ?? '');
    const note = typeof checkedNote === 'string' ? checkedNote : '';
    if (typeof checkedNote === 'object') errors.catatan = checkedNote.error;
    else if (choice?.noteRequired && note.length < 5)
      errors.catatan =
        'Catatan wajib diisi (paling sedikit 5 huruf): alasannya diteruskan kepada yang bertindak berikutnya';

    // Output is required when moving forward; a return or a repeat may come without it. A step that records the
    // notulen of a meeting records it whatever the choice (each round its own), so its fields are always required.
    const rapat = rapatOf(this.runtime.sopOf(view.record), activity);
    const outputRequired = choice?.kind === 'lanjut' || choice?.kind === 'ya' || rapat?.catat === 'notulen';
    const values: Decision['values'] = {};
    const files: StoredFile[] = [];
    // Uploads are accepted (copied under the case) only once the meeting's rules hold: a refused notulen stores nothing.
    const uploads: { field: Field; key: string; name: string }[] = [];
    for (const field of activity.fields) {
      if (field.type === 'file') {
        const key = (form[`unggah_${field.id}`] ?? '').trim();
        if (!key) {
          if (field.required && outputRequired) errors[field.id] = `${field.label} wajib diunggah`;
          continue;
        }
        const name = checkText(`${field.label}: nama berkas`, form[`nama_${field.id}`] ?? key, { max: 400 });
        if (typeof name === 'object') {
          errors[field.id] = name.error;
          continue;
        }
        uploads.push({ field, key, name: name || key });
        continue;
      }
      const parsed = parseFieldValue(field, form[`f_${field.id}`] ?? '');
      if (parsed === undefined) {
        if (field.required && outputRequired && field.type !== 'boolean')
          errors[field.id] = `${field.label} wajib diisi`;
        if (field.type === 'boolean') values[field.id] = false;
        continue;
      }
      if (typeof parsed === 'object') errors[field.id] = parsed.error;
      else values[field.id] = parsed;
    }

    for (const problem of this.checkPeople(view, values)) errors[problem.field] ??= problem.error;
    const meeting = rapat
      ? checkRapat({
          activity,
          rapat,
          values,
          now: this.deps.clock.now(),
          timeZone: this.deps.pemda(view.record.pemdaId).calendar.timeZone,
          person: (id) => this.deps.pemda(view.record.pemdaId).directory.person(id),
        })
      : [];
    for (const problem of meeting) errors[problem.field] ??= problem.error;
    if (!meeting.length)
      for (const upload of uploads) {
        const checked = await this.checkUpload(task, upload.field, upload.key, upload.name);
        if ('error' in checked) errors[upload.field.id] = checked.error;
        else files.push(checked);
      }

    for (const problem of await this.checkNumbers(view, values)) errors[problem.field] = problem.error;

    if (view.needsCode) {
      const code = (form.kode ?? '').trim();
      if (!task.otp) errors.kode = 'Minta kode konfirmasi terlebih dahulu';
      else if (!/^\d{6}$/.test(code)) errors.kode = 'Kode terdiri dari 6 angka';
      else {
        // The attempt is spent before the comparison, so parallel guesses cannot exceed the limit.
        const spent = await this.deps.store.spendOtpAttempt(
          task.taskId,
          MAX_CODE_ATTEMPTS,
          this.deps.clock.now().toISOString(),
        );
        if (!spent)
          errors.kode =
            new Date(task.otp.expiresAt).getTime() <= this.deps.clock.now().getTime()
              ? 'Kode sudah kedaluwarsa; minta kode baru'
              : 'Terlalu banyak percobaan; minta kode baru';
        else if (!sameHash(spent.hash, otpHash(this.deps.codeKey(), task.taskId, code)))
          errors.kode = `Kode salah (${spent.attempts} dari ${MAX_CODE_ATTEMPTS} percobaan)`;
      }
    }

    // A drafting step: the pasal editor's content is checked with the rest, and saved (conditionally on the version
    // it was edited from) only when everything else is in order, so a refused form stores nothing.
    const drafts = this.deps.drafts && this.deps.drafts.edits(activity) ? this.deps.drafts : undefined;
    const posted = drafts?.fromForm(form, drafts.outlineOf(view.record).id);
    if (drafts && posted) {
      const outline = drafts.outlineOf(view.record);
      const checked = checkContent(posted.content, { bilingual: outline.bilingual, adendum: outline.adendum });
      if (!checked.ok) for (const issue of checked.issues) errors[issue.field] ??= issue.message;
      if (!checked.ok) errors.naskah = 'Naskah belum lengkap: periksa pasal yang ditandai.';
    }

    // A signing task's act: the official read the document shown, and it is still that document (by its SHA-256).
    const signing = view.signing && choice?.value === view.signing.act.choice ? view.signing : undefined;
    const needsCredential = signing?.act.act === 'tandatangan' && this.deps.documents!.needsCredential(view.record);
    if (signing) Object.assign(errors, checkSigningForm(sent, signing.act, signing.document, needsCredential));
    if (needsCredential && credentialWindowFull(task, this.deps.clock.now()))
      errors[SIGNING_FIELDS.passphrase] =
        `Passphrase TTE sudah ${TTE_CREDENTIAL_LIMIT.max} kali ditolak BSrE dalam satu jam; tidak ada yang dikirim. Coba lagi setelah ${this.deps.pemda(view.record.pemdaId).formatDateTime(nextWindowAt(TTE_CREDENTIAL_LIMIT, task.tteRefusedWindowStart, this.deps.clock.now()))}, atau minta bantuan Admin TTE jika lupa passphrase.`;

    if (Object.keys(errors).length) return { result: 'tidak-valid', view, errors, form };

    if (drafts && posted) {
      const saved = await drafts.save(view.record, posted.content, posted.base, {
        by: { id: task.person.id, nama: task.person.nama, jabatan: task.person.jabatan },
        at: this.deps.clock.now().toISOString(),
        stepId: activity.stepId,
        seq: task.seq,
      });
      if (saved.kind === 'basi')
        return {
          result: 'tidak-valid',
          view,
          errors: {
            naskah: `Naskah sudah diubah oleh ${saved.current.by.nama} (versi ${saved.current.versi}) sejak halaman ini dibuka. Keputusan belum dikirim; periksa perubahannya, lalu terapkan lagi suntingan Anda pada versi terbaru.`,
          },
          form,
          naskahBasi: { current: saved.current, mine: saved.mine, base: saved.base },
        };
      if (saved.kind === 'tidak-valid') {
        for (const issue of saved.issues) errors[issue.field] ??= issue.message;
        return { result: 'tidak-valid', view, errors, form };
      }
      values[NASKAH_VERSI] = saved.version.versi;
    }

    // The signature is made over exactly the shown PDF and stored before the decision is recorded; one request signs.
    if (signing?.act.act === 'tandatangan') {
      const signed = await this.signShown(view, signing.document!, needsCredential ? credential : undefined);
      if (signed === 'sedang-ditandatangani') return { result: 'sedang-ditandatangani', task };
      if ('tidakTertandatangani' in signed)
        return { result: 'tidak-valid', view, errors: signed.tidakTertandatangani, form };
    }

    const decision: Decision = {
      choice: choice!.value,
      ...(note ? { note } : {}),
      values,
      files,
      at: this.deps.clock.now().toISOString(),
      by: task.person,
      submissionId,
    };
    // The one conditional write of the decision returns the task it stored: no read after it.
    const stored = await this.deps.store.decideReturning(task.taskId, task.linkVersion, decision);
    if (!stored) {
      const again = await this.open(token, submissionId);
      if ('problem' in again) return again;
      throw new SepakatError(ErrorNames.Transient, 'Keputusan belum tersimpan; silakan kirim ulang');
    }
    this.deps.faults.point('after-decision-stored');
    // The decision is stored: whatever happens while reporting it, the official's part is done. An unreported
    // decision is reported on the next visit of the link, by the reconciler, or replayed by the next execution.
    const reported =
      (await this.runtime.settleDecision(stored, view.record).catch(() => 'pending' as const)) === 'reported';
    return { result: 'tercatat', task: stored, record: view.record, reported };
  }

  /**
   * Signs the shown document in the official's POST, once: a signed document made before (a retry after a crash) is
   * used as it is; otherwise this request claims the signature (a double submit finds the claim and signs nothing),
   * then signs and stores it.
   */
  private async signShown(
    view: TaskView,
    shown: DocumentRecord,
    credential: SigningCredential | undefined,
  ): Promise<DocumentRecord | 'sedang-ditandatangani' | { tidakTertandatangani: FormErrors }> {
    const documents = this.deps.documents!;
    const { task, record, activity } = view;
    const earlier = await documents.signedDocument(task);
    if (earlier) return earlier;
    const now = this.deps.clock.now();
    const until = new Date(now.getTime() + SIGNATURE_CLAIM_MS).toISOString();
    if (!(await this.deps.store.claimSignature(task.taskId, task.linkVersion, now.toISOString(), until)))
      return (await documents.signedDocument(task)) ?? 'sedang-ditandatangani';
    try {
      return await documents.signShown({ record, activity, task, shown, ...(credential ? { credential } : {}) });
    } catch (error) {
      // Nothing was stored: the claim is given back so that the official may try again at once.
      await this.deps.store.releaseSignatureClaim(task.taskId, until).catch(() => false);
      const refused = error instanceof SepakatError ? await this.signingRefused(view, shown, error) : undefined;
      if (refused) return { tidakTertandatangani: refused };
      throw error;
    }
  }

  /**
   * What the official is told when the provider did not sign, by the error's code (none carries the credential), and
   * what is recorded: a refused passphrase counts towards the hourly limit; an unknown outcome and a refused
   * response are facts of the case. Undefined for any other error (thrown on).
   */
  private async signingRefused(
    view: TaskView,
    shown: DocumentRecord,
    error: SepakatError,
  ): Promise<FormErrors | undefined> {
    const { task } = view;
    const now = this.deps.clock.now();
    const fact = async (hasil: string, detail: Record<string, string>) =>
      this.deps.store.appendHistory({
        caseId: task.caseId,
        eventKey: `tanda-tangan-gagal#${task.seq}#${now.toISOString()}#${randomBytes(4).toString('hex')}`,
        type: 'tanda-tangan-gagal',
        at: now.toISOString(),
        who: { id: task.person.id, nama: task.person.nama, jabatan: task.person.jabatan },
        node: task.node,
        seq: task.seq,
        detail: { hasil, dokumen: shown.docId, sha256: shown.sha256, ...detail },
      });
    switch (error.code) {
      case SigningErrorCodes.CredentialRefused: {
        await this.deps.store.noteRefusedCredential(task.taskId, windowCheck(TTE_CREDENTIAL_LIMIT, now));
        const after = await this.deps.store.getTask(task.taskId);
        const left = Math.max(0, TTE_CREDENTIAL_LIMIT.max - (after?.tteRefused ?? TTE_CREDENTIAL_LIMIT.max));
        return {
          [SIGNING_FIELDS.passphrase]: `${error.message} Periksa passphrase Anda (huruf besar dan kecil dibedakan). ${left ? `Sisa ${left} kali percobaan dalam satu jam.` : 'Batas percobaan tercapai: coba lagi setelah satu jam.'}`,
        };
      }
      case SigningErrorCodes.OutcomeUnknown:
        await fact('tidak-diketahui', { penyedia: 'bsre' });
        return { tte: error.message };
      case SigningErrorCodes.ResponseRefused:
        await fact('jawaban-ditolak', { penyedia: 'bsre', alasan: error.message });
        return { tte: `${error.message} Coba lagi; bila berulang, hubungi administrator Sepakat.` };
      case SigningErrorCodes.SignerNotReady:
      case SigningErrorCodes.ProviderUnavailable:
        return { tte: error.message };
      default:
        return undefined;
    }
  }

  /**
   * Asks BSrE to send a TOTP to the bound person's BeSign app (POST, through the task's link): for a signing task of a
   * pemda that signs through BSrE only.
   */
  async requestTotp(token: string): Promise<{ sent: true } | { error: string } | LinkProblem> {
    const view = await this.open(token);
    if ('problem' in view) return view;
    if (view.signing?.act.act !== 'tandatangan' || !this.deps.documents!.needsCredential(view.record))
      return { error: 'Tugas ini tidak memakai TOTP BSrE' };
    try {
      await this.deps.documents!.requestTotp(view.record, view.task);
      return { sent: true };
    } catch (error) {
      if (error instanceof SepakatError) return { error: error.message };
      throw error;
    }
  }

  /** What signing needs of the bound person now (a BSrE signer's status), for the signing page; a read. */
  async signingReadiness(view: TaskView): Promise<SigningReadiness | undefined> {
    if (view.signing?.act.act !== 'tandatangan') return undefined;
    return this.deps.documents!.signingReadiness(view.record, view.task);
  }

  /**
   * An upload of this task, checked (one read: size, type by content, SHA-256) and kept under the case's accepted
   * files (`berkas/<case>/<seq>/<sha256>`), which no presigned URL names: the decision records that key.
   */
  private async checkUpload(
    task: TaskRecord,
    field: Field,
    key: string,
    name: string,
  ): Promise<StoredFile | { error: string }> {
    const prefix = `kasus/${task.caseId}/${String(task.seq).padStart(5, '0')}/${field.id}/`;
    if (!key.startsWith(prefix) || key.includes('..')) return { error: `${field.label}: berkas bukan milik tugas ini` };
    return acceptUpload(
      this.deps.files,
      { bucket: this.deps.documentsBucket, key, name },
      field,
      { maxBytes: this.deps.maxUploadBytes },
      { bucket: this.deps.documentsBucket, prefix: `berkas/${task.caseId}/${String(task.seq).padStart(5, '0')}/` },
    );
  }
}

/** The note of a decision: any length up to 4,000 characters, several lines. */
export const CATATAN_TUGAS = catatan('Catatan', { max: 4000 });

/**
 * The value of an SOP field typed on a task page, as the decision keeps it; undefined when left empty; or why it is
 * refused, naming the field by its label. The text is cleaned first (`checkText`): bidirectional controls and other
 * control characters are refused, the harmless invisible characters removed.
 */
export function parseFieldValue(
  field: Field,
  input: string,
): string | number | boolean | undefined | { error: string } {
  const raw = checkText(field.label, input, { multiline: field.type === 'textarea', max: 4000 });
  if (typeof raw === 'object') return raw;
  if (!raw) return undefined;
  switch (field.type) {
    case 'number': {
      const n = Number(raw.replace(',', '.'));
      return Number.isFinite(n) ? n : { error: `${field.label} harus berupa angka` };
    }
    case 'boolean':
      return raw === 'ya' || raw === 'true' || raw === 'on';
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(raw))
        ? raw
        : { error: `${field.label}: tanggal tidak valid` };
    case 'datetime':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(raw)
        ? raw
        : { error: `${field.label}: tanggal dan jam tidak valid` };
    case 'select':
      return field.options?.some((o) => o.value === raw) ? raw : { error: `${field.label}: pilihan tidak dikenal` };
    case 'pegawai':
      // A person's id; whether the directory knows it is checked with the directory (TaskActions.checkPeople).
      return /^[a-z0-9][a-z0-9-]{0,99}$/.test(raw) ? raw : { error: `${field.label}: pilih pegawai dari daftar` };
    case 'textarea':
      if (field.format === 'daftar-hadir') {
        const daftar = parseDaftarHadir(field.label, raw);
        if (!daftar.ok) return { error: daftar.error };
      }
      return raw;
    case 'email':
      return isEmailAddress(raw) ? raw : { error: `${field.label} bukan alamat email yang valid` };
    default:
      return raw;
  }
}

export function maskEmail(email: string): string {
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 2)}${'*'.repeat(Math.max(1, user.length - 2))}@${domain}`;
}

/** Every automatic work an activity can run: before it, and after each of its choices. */
function activityAutomatics(activity: Activity): Automatic[] {
  return [...activity.before, ...activity.choices.flatMap((c) => c.automatic)];
}
