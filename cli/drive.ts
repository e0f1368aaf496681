import type { IntakeForm } from '../core/case/intake.ts';
import type { Sop } from '../core/sop/load-sop.ts';
import { join } from 'node:path';
import { developmentPassphrase } from '../local/bsre/development-users.ts';
import { readMailbox, type StoredMail } from '../local/ses/local-ses.ts';
import { decodeEntities, firstText, innerOf, startTags, textOf } from './page-reading.ts';

/**
 * Scripted people who use only the public paths: the intake API and presigned uploads for the pemohon; emailed
 * links, a GET of the page, then a POST of the form for officials. Used by the demo, the end-to-end tests and the
 * benchmark, so all three exercise exactly what a browser would.
 */

/** A minimal but real PDF (it opens in a reader), for uploads in scripts. */
export function samplePdf(title: string): Buffer {
  const text = title.replace(/[()\\]/g, ' ').slice(0, 80);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${`BT /F1 14 Tf 72 770 Td (${text}) Tj ET`.length} >>\nstream\nBT /F1 14 Tf 72 770 Td (${text}) Tj ET\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** The intake form as the pemohon fills it in (core/case/intake.ts `IntakeForm`), with the files' bytes. */
export interface PermohonanInput extends Omit<IntakeForm, 'files'> {
  files: { slot: string; name: string; bytes: Buffer }[];
  /**
   * Replace the manifest the server built (to test bad input). The PUT's size is signed, so a replacement is padded
   * with spaces to the signed size (or refused by the storage when longer).
   */
  manifest?: (m: Record<string, unknown>) => unknown;
  /** Replace a file's bytes after the form was checked (a lie about the file, to test bad input). */
  upload?: (slot: string, declared: Buffer) => Buffer;
}

/**
 * A permohonan for any SOP, from its intake definition alone: a sample value for each data field (the first option of
 * a select), a sample PDF for each required document.
 */
export function samplePermohonan(
  sop: Pick<Sop, 'definition'>,
  options: {
    perihal?: string;
    pemohon?: PermohonanInput['pemohon'];
    overrides?: Record<string, string | number | boolean>;
  } = {},
): PermohonanInput {
  const data: Record<string, string | number | boolean> = {};
  for (const field of sop.definition.intake.data) {
    if (field.type === 'select') data[field.id] = field.options![0]!.value;
    else if (field.type === 'boolean') data[field.id] = false;
    else if (field.type === 'number') data[field.id] = 1;
    else if (field.type === 'date') data[field.id] = '2026-12-01';
    else data[field.id] = `Contoh ${field.label}`;
  }
  const files = sop.definition.intake.documents
    .filter((d) => d.required)
    .map((d) => ({ slot: d.id, name: `${d.id}.pdf`, bytes: samplePdf(d.label) }));
  return {
    sopId: sop.definition.id,
    perihal: options.perihal ?? 'Kerja sama pengembangan layanan publik',
    pemohon: options.pemohon ?? {
      nama: 'Drs. Joko Susilo',
      email: 'pemohon@mitra.test',
      instansi: 'Pemerintah Kabupaten Mitra',
    },
    data: { ...data, ...options.overrides },
    files,
  };
}

/** Where the permohonan goes: the web address, and (locally) the data directory whose mailbox holds the emails. */
export type PermohonanSite = string | { urls: { web: string }; dataDir: string };

export interface SubmittedPermohonan {
  intakeId: string;
  /** The receipt page's address (relative). */
  receipt: string;
  /** What came of it when the driver waited: a case (confirmed), quarantine, or not waited for. */
  state: 'kasus' | 'dikarantina' | 'menunggu-konfirmasi' | 'terkirim';
  /** HTTP requests made (for the benchmark's count). */
  requests: number;
}

/**
 * The pemohon's browser: sends the whole form to be checked, PUTs each file to its presigned URL (exactly the
 * declared size), then the manifest the server built, byte for byte. When the site's mailbox is known (`dataDir`)
 * and `confirm` is not false, it then waits on the receipt page and, when the permohonan waits for the contact's
 * confirmation, opens the emailed link and confirms it as the contact would (GET the page, POST its form).
 */
export async function submitPermohonan(
  site: PermohonanSite,
  input: PermohonanInput,
  options: { confirm?: boolean; timeoutMs?: number } = {},
): Promise<SubmittedPermohonan> {
  const webUrl = typeof site === 'string' ? site : site.urls.web;
  const res = await fetch(`${webUrl}/api/permohonan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: webUrl },
    body: JSON.stringify({
      sopId: input.sopId,
      perihal: input.perihal,
      pemohon: { telepon: '', ...input.pemohon },
      data: input.data,
      files: input.files.map((f) => ({ slot: f.slot, name: f.name, size: f.bytes.length })),
    }),
  });
  const prepared = (await res.json()) as {
    intakeId: string;
    uploads: { slot: string; key: string; url: string; contentType: string }[];
    manifest: { key: string; url: string; body: string };
    tandaTerima: string;
    pesan?: string;
    rincian?: Record<string, string>;
  };
  if (!res.ok)
    throw new Error(
      `permohonan ditolak: ${res.status} ${prepared.pesan ?? ''}${prepared.rincian ? ` (${Object.values(prepared.rincian).join('; ')})` : ''}`,
    );
  for (const [i, upload] of prepared.uploads.entries()) {
    const declared = input.files[i]!.bytes;
    const bytes = input.upload ? input.upload(upload.slot, declared) : declared;
    const put = await fetch(upload.url, {
      method: 'PUT',
      headers: { 'content-type': upload.contentType },
      body: new Uint8Array(bytes),
    });
    if (!put.ok) throw new Error(`unggah ${upload.key} gagal: ${put.status}`);
  }
  let body = prepared.manifest.body;
  if (input.manifest) {
    const replaced = input.manifest(JSON.parse(body) as Record<string, unknown>);
    const text = typeof replaced === 'string' ? replaced : JSON.stringify(replaced);
    const signed = Buffer.byteLength(body);
    body = Buffer.byteLength(text) < signed ? text + ' '.repeat(signed - Buffer.byteLength(text)) : text;
  }
  const put = await fetch(prepared.manifest.url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (!put.ok) throw new Error(`unggah manifest gagal: ${put.status}`);
  const submitted = { intakeId: prepared.intakeId, receipt: prepared.tandaTerima };
  const sent = 2 + prepared.uploads.length;
  if (typeof site === 'string' || options.confirm === false || input.manifest)
    return { ...submitted, state: 'terkirim', requests: sent };
  const followed = await followReceipt(webUrl, site.dataDir, input, submitted, options.timeoutMs);
  return { ...submitted, state: followed.state, requests: sent + followed.requests };
}

/** Waits on the receipt page; confirms from the mailbox when the permohonan waits for the contact's confirmation. */
async function followReceipt(
  webUrl: string,
  dataDir: string,
  input: PermohonanInput,
  submitted: { intakeId: string; receipt: string },
  timeoutMs = 60_000,
): Promise<{ state: SubmittedPermohonan['state']; requests: number }> {
  const deadline = performance.now() + timeoutMs;
  for (let requests = 1; ; requests++) {
    const page = await fetch(`${webUrl}${submitted.receipt}`);
    const html = await page.text();
    if (page.status === 422) return { state: 'dikarantina', requests };
    if (html.includes('id="nomor-kasus"')) return { state: 'kasus', requests };
    if (html.includes('id="menunggu-konfirmasi"')) {
      await confirmFromMailbox(webUrl, dataDir, input.pemohon.email, submitted.intakeId, deadline);
      return { state: 'kasus', requests: requests + 2 };
    }
    if (performance.now() > deadline)
      throw new Error(`permohonan ${submitted.intakeId} tidak diproses dalam batas waktu`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The contact opens the emailed confirmation link (a GET shows it) and confirms (a POST of the page's form).
 * `deadline` is on the `performance.now()` scale.
 */
export async function confirmFromMailbox(
  webUrl: string,
  dataDir: string,
  email: string,
  intakeId: string,
  deadline = performance.now() + 30_000,
): Promise<void> {
  let link: string | undefined;
  while (!link) {
    const mails = await readMailbox(dataDir);
    link = mails
      .filter((m) => m.to.includes(email) && m.subject.includes(intakeId))
      .flatMap((m) => m.links)
      .find((l) => l.includes('/permohonan/konfirmasi/'));
    if (link) break;
    if (performance.now() > deadline) throw new Error(`email konfirmasi ${intakeId} tidak datang`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const page = await fetch(link);
  const html = await page.text();
  if (!page.ok) throw new Error(`halaman konfirmasi ${intakeId}: ${page.status}`);
  const token = startTags(html, 'input').find((t) => t.attrs['name'] === '_token')?.attrs['value'];
  const action = startTags(html, 'form').find((t) => t.attrs['method'] === 'post')?.attrs['action'];
  if (!token || !action) throw new Error(`halaman konfirmasi ${intakeId} tanpa formulir`);
  const post = await fetch(`${webUrl}${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: webUrl },
    body: new URLSearchParams({ _token: token }).toString(),
  });
  await post.arrayBuffer();
  if (post.status !== 303) throw new Error(`konfirmasi ${intakeId}: ${post.status}`);
}

export interface TaskForm {
  action: string;
  submissionId: string;
  choices: string[];
  /** Choices whose page says a note is required. */
  noteRequired: string[];
  /**
   * `format`: a textarea's line format (`daftar-hadir`); `jenis`: what a select chooses (`pegawai`: a person of the
   * pemda's directory).
   */
  textFields: { name: string; type: string; options: string[]; format?: string; jenis?: string }[];
  fileSlots: string[];
  needsCode: boolean;
  /** Signing through BSrE: the person whose TTE passphrase the page asks for. */
  passphraseFor?: string;
  title: string;
  /**
   * The pasal editor's fields on a drafting step (`n_*`: the content, its order and base version), with the values
   * the page shows; a browser posts them with the decision.
   */
  naskah: Record<string, string>;
  /**
   * A signing task's document (core/documents/signing-task.ts): the SHA-256 the page shows, which the form sends
   * back with the confirmation of having read it; undefined on other pages (or while the document is prepared).
   */
  signing?: { sha256: string; pages: string[] };
}

/** Reads the task page as a browser renders it (the form's fields, choices and whether a code is needed). */
export function parseTaskPage(html: string): TaskForm {
  const inputs = startTags(html, 'input');
  const submissionId = inputs.find((t) => t.attrs['name'] === 'submissionId')?.attrs['value'] ?? '';
  // Each choice is a radio inside its label, whose text says when a note is required.
  const radios = inputs
    .filter((t) => t.attrs['type'] === 'radio' && t.attrs['name'] === 'pilihan' && t.attrs['value'])
    .map((t) => ({ value: t.attrs['value']!, label: textOf(innerOf(html, { name: 'label', end: t.end })) }));
  const choices = radios.map((r) => r.value);
  const noteRequired = radios.filter((r) => r.label.includes('wajib dengan catatan')).map((r) => r.value);
  const textFields: TaskForm['textFields'] = startTags(html, 'input', 'textarea', 'select')
    .filter((t) => t.attrs['name']?.startsWith('f_'))
    .map((t) => ({
      name: t.attrs['name']!,
      type: t.name === 'input' ? (t.attrs['type'] ?? '') : t.name,
      ...(t.attrs['data-format'] ? { format: t.attrs['data-format'] } : {}),
      ...(t.attrs['data-jenis'] ? { jenis: t.attrs['data-jenis'] } : {}),
      options:
        t.name === 'select'
          ? startTags(innerOf(html, t), 'option')
              .map((o) => o.attrs['value'] ?? '')
              .filter(Boolean)
          : [],
    }));
  const fileSlots = [...html.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]!);
  const passphraseFor = inputs.find((t) => t.attrs['name'] === 'passphraseTte')?.attrs['data-orang'];
  const sha256 = inputs.find((t) => t.attrs['name'] === 'sha256Dokumen')?.attrs['value'];
  const pages = startTags(html, 'img')
    .map((t) => t.attrs['src'] ?? '')
    .filter((src) => /\/halaman\/\d+\.png$/.test(src));
  return {
    action: startTags(html, 'form').find((t) => t.attrs['id'] === 'form-tugas')?.attrs['action'] ?? '',
    submissionId,
    choices,
    noteRequired,
    textFields,
    fileSlots,
    needsCode: /name="kode"/.test(html),
    title: firstText(html, 'h1'),
    naskah: Object.fromEntries(
      startTags(html, 'input', 'textarea')
        .filter((t) => t.attrs['name']?.startsWith('n_'))
        .map((t) => [
          t.attrs['name']!,
          t.name === 'textarea' ? decodeEntities(innerOf(html, t)) : (t.attrs['value'] ?? ''),
        ]),
    ),
    ...(sha256 ? { signing: { sha256, pages } } : {}),
    // A signature through BSrE: the passphrase field names whose it is (the person id, not a secret).
    ...(passphraseFor ? { passphraseFor } : {}),
  };
}

export interface Decision {
  pilihan: string;
  catatan?: string;
  values?: Record<string, string>;
  /** Files to upload by slot (default: a sample PDF, or a PNG where PDF is not accepted). */
  files?: Record<string, { name: string; bytes: Buffer }>;
  /** Edits of the pasal editor's fields (by field name), applied over what the page shows. */
  naskah?: Record<string, string>;
  /** The TTE passphrase typed when signing through BSrE (default: the local development passphrase). */
  passphrase?: string;
}

/** An official acting on one emailed link, exactly as through a browser: GET, upload, ask a code, POST. */
export async function actOnLink(
  link: string,
  decide: (form: TaskForm) => Decision,
  /** Where the official's confirmation code comes from: the local mailbox, or a reader of the caller's own. */
  mail: { dataDir: string; recipient?: string } | { readCode: () => Promise<string> },
): Promise<{ status: number; html: string; form?: TaskForm; requests: number }> {
  const url = new URL(link);
  const origin = url.origin;
  let requests = 1;
  const page = await fetch(link);
  const html = await page.text();
  if (page.status !== 200) return { status: page.status, html, requests };
  const form = parseTaskPage(html);
  const decision = decide(form);
  const body = new URLSearchParams({
    submissionId: form.submissionId,
    pilihan: decision.pilihan,
    catatan: decision.catatan ?? '',
  });
  // A scripted official picks a different person for each role (the pimpinan rapat is not also the notulis).
  const chosen = new Set<string>();
  for (const field of form.textFields) {
    const given = decision.values?.[field.name.slice(2)];
    const value =
      given ??
      (field.jenis === 'pegawai'
        ? (field.options.find((o) => !chosen.has(o)) ?? sampleValue(field))
        : sampleValue(field));
    if (field.jenis === 'pegawai') chosen.add(value);
    body.set(field.name, value);
  }
  for (const [name, value] of Object.entries({ ...form.naskah, ...decision.naskah })) body.set(name, value);
  // A signing task: the official read the pages shown and confirms it; the form names the document by its SHA-256.
  if (form.signing) {
    body.set('sudahDibaca', 'ya');
    body.set('sha256Dokumen', form.signing.sha256);
  }
  // Signing through the local BSrE service: the official's development passphrase (derived in the data directory,
  // as `npm run bsre-lokal` shows it), unless the decision gives one.
  if (form.passphraseFor) {
    const passphrase =
      decision.passphrase ??
      ('dataDir' in mail ? developmentPassphrase(join(mail.dataDir, 'bsre'), form.passphraseFor) : undefined);
    if (passphrase !== undefined) body.set('passphraseTte', passphrase);
  }
  const upload = async (slot: string, name: string, bytes: Buffer) => {
    requests++;
    const res = await fetch(`${link}/unggah`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ slot, name, size: bytes.length }),
    });
    if (!res.ok) return { refused: `${res.status} ${await res.text()}` };
    const target = (await res.json()) as { url: string; key: string; contentType: string };
    requests++;
    const put = await fetch(target.url, {
      method: 'PUT',
      headers: { 'content-type': target.contentType },
      body: new Uint8Array(bytes),
    });
    await put.arrayBuffer();
    if (!put.ok) throw new Error(`PUT ${slot}: ${put.status}`);
    body.set(`unggah_${slot}`, target.key);
    body.set(`nama_${slot}`, name);
    return { refused: undefined };
  };
  for (const slot of form.fileSlots) {
    const given = decision.files?.[slot];
    if (given) {
      const sent = await upload(slot, given.name, given.bytes);
      if (sent.refused) throw new Error(`unggah ${slot}: ${sent.refused}`);
      continue;
    }
    const asPdf = await upload(slot, `${slot}.pdf`, samplePdf(`${form.title} - ${slot}`));
    // The field may not accept PDF (an image scan): send a PNG instead.
    if (asPdf.refused) {
      const asPng = await upload(slot, `${slot}.png`, samplePng());
      if (asPng.refused) throw new Error(`unggah ${slot}: ${asPng.refused}`);
    }
  }
  if (form.needsCode) {
    const before = 'dataDir' in mail ? (await readMailbox(mail.dataDir)).length : 0;
    requests++;
    const sent = await fetch(`${link}/kode`, { method: 'POST', headers: { origin } });
    await sent.arrayBuffer();
    if (!sent.ok) throw new Error(`kode: ${sent.status}`);
    body.set(
      'kode',
      'readCode' in mail ? await mail.readCode() : await codeFromMailbox(mail.dataDir, before, mail.recipient),
    );
  }
  requests++;
  const post = await fetch(`${origin}${form.action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: body.toString(),
  });
  return { status: post.status, html: await post.text(), form, requests };
}

/**
 * An official's confirmation code for a task link, asked for as the page's button does ("Kirim kode ke email saya")
 * and read from the local mailbox.
 */
export async function askCode(link: string, dataDir: string, recipient?: string): Promise<string> {
  const before = (await readMailbox(dataDir)).length;
  const sent = await fetch(`${link}/kode`, { method: 'POST', headers: { origin: new URL(link).origin } });
  await sent.arrayBuffer();
  if (!sent.ok) throw new Error(`kode: ${sent.status}`);
  return codeFromMailbox(dataDir, before, recipient);
}

/** The newest code addressed to this official (other cases may be asking for codes at the same time). */
async function codeFromMailbox(dataDir: string, before: number, recipient?: string): Promise<string> {
  const codeMail = (await readMailbox(dataDir))
    .slice(before)
    .filter((m) => /^Kode konfirmasi/.test(m.subject) && (!recipient || m.to.includes(recipient)))
    .at(-1);
  const code = /^\s*(\d{6})\s*$/m.exec(codeMail?.text ?? '')?.[1];
  if (!code) throw new Error('kode konfirmasi tidak ditemukan di kotak surat');
  return code;
}

/** A value for a field the script gives none for (dates early in 2026: a meeting already held whatever the test clock). */
export function sampleValue(field: TaskForm['textFields'][number]): string {
  if (field.type === 'select') return field.options[0] ?? '';
  if (field.format === 'daftar-hadir')
    return 'Andi Saputra, S.H. | Analis Hukum | Bagian Hukum Setda\nAgus Salim, S.IP. | Kepala Bagian Pemerintahan | Setda Kabupaten Mitra';
  if (field.type === 'date') return '2026-01-05';
  if (field.type === 'datetime-local') return '2026-01-05T09:00';
  if (field.type === 'number') return '1';
  if (field.type === 'checkbox') return 'ya';
  if (field.type === 'email') return `${field.name.slice(2)}@contoh.test`;
  if (field.name.includes('nomor')) return `000.5.4/${Math.floor(Math.random() * 900 + 100)}/409.1.1/2026`;
  return `Isian contoh untuk ${field.name.slice(2)}`;
}

/** A 1×1 PNG. */
export function samplePng(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
}

export const taskLinks = (mail: StoredMail) => mail.links.filter((l) => /\/tugas\/[^/]+$/.test(l));

/**
 * Scripted officials for one case: read each new task email addressed to the case, act on its link with the
 * scripted decision for that step and visit, until the pemohon is told the case ended.
 * `script[node]` lists the choices for the 1st, 2nd, … visit; the default takes the first forward choice.
 */
export async function driveCase(options: {
  dataDir: string;
  caseId: string;
  pemohonEmail: string;
  script?: Record<string, string[]>;
  timeoutMs?: number;
  onAct?: (info: { node: string; visit: number; choice: string; status: number }) => void;
  /** Stop (without acting) when the task email of this activity arrives; its link is returned. */
  stopAt?: string;
  /** Activities that may have been decided outside this driver (their link then answers 409, or 410 if replaced). */
  alreadyDone?: (node: string) => boolean;
  /** Field values by field id for every form (others get sample values), e.g. the content of the naskah. */
  values?: Record<string, string>;
  /** Stops the driver (e.g. the runtime it drives was killed). */
  signal?: AbortSignal;
}): Promise<{
  outcome: string;
  acted: { node: string; choice: string }[];
  stoppedAt?: { node: string; link: string; mail: StoredMail };
}> {
  const seen = new Set<string>();
  const visits = new Map<string, number>();
  const acted: { node: string; choice: string }[] = [];
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (options.signal?.aborted) return { outcome: 'dihentikan', acted };
    const mails = await readMailbox(options.dataDir);
    const end = mails.find(
      (m) =>
        m.to.includes(options.pemohonEmail) &&
        m.text?.includes(options.caseId) &&
        /^Permohonan (selesai|tidak dapat|dibatalkan)/.test(m.subject),
    );
    const fresh = mails.filter(
      (m) =>
        !seen.has(m.messageId) && /^Tugas baru: /.test(m.subject) && m.text?.includes(`Nomor kasus: ${options.caseId}`),
    );
    if (!fresh.length && end)
      return {
        outcome: /selesai/.test(end.subject) ? 'selesai' : /dibatalkan/.test(end.subject) ? 'dibatalkan' : 'ditolak',
        acted,
      };
    if (performance.now() > deadline)
      throw new Error(
        `kasus ${options.caseId} tidak selesai dalam batas waktu; terakhir: ${acted.map((a) => `${a.node}:${a.choice}`).join(' ')}`,
      );
    if (!fresh.length) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    for (const mail of fresh) {
      seen.add(mail.messageId);
      const node = /^Tugas baru: (\S+)/.exec(mail.subject)?.[1] ?? '';
      const link = taskLinks(mail)[0];
      if (!link) continue;
      if (node === options.stopAt) return { outcome: 'berjalan', acted, stoppedAt: { node, link, mail } };
      const visit = (visits.get(node) ?? 0) + 1;
      visits.set(node, visit);
      let chosen = '';
      const result = await actOnLink(
        link,
        (form) => {
          const scripted = options.script?.[node]?.[visit - 1];
          chosen =
            scripted ??
            form.choices.find((c) => ['lanjut', 'ya', 'disepakati', 'setuju'].includes(c)) ??
            form.choices[0]!;
          const needsNote = form.noteRequired.includes(chosen);
          return {
            pilihan: chosen,
            ...(needsNote ? { catatan: `Catatan uji untuk ${node} (${chosen}): mohon diperbaiki.` } : {}),
            ...(options.values ? { values: options.values } : {}),
          };
        },
        { dataDir: options.dataDir, ...(mail.to[0] ? { recipient: mail.to[0] } : {}) },
      );
      // 409: the task was decided already (an old email, e.g. acted on before a crash); 410: its link was replaced
      // (a new task email took its place, e.g. after a move to a newer SOP version); nothing to do.
      if ((result.status === 409 || result.status === 410) && options.alreadyDone?.(node)) continue;
      if (result.status !== 200) {
        // What the page says is wrong (the marked fields), else the start of its text.
        const marked = startTags(result.html, 'div')
          .filter((t) => ['salah', 'kotak-salah'].includes(t.attrs['class'] ?? ''))
          .map((t) => textOf(innerOf(result.html, t)));
        throw new Error(
          `${node} kunjungan ${visit}: HTTP ${result.status}\n${
            marked.length ? marked.join(' | ') : textOf(result.html).slice(0, 600)
          }`,
        );
      }
      acted.push({ node, choice: chosen });
      options.onAct?.({ node, visit, choice: chosen, status: result.status });
    }
  }
}
