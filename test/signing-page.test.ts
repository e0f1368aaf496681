import { join } from 'node:path';
import { developmentPassphrase } from '../local/bsre/development-users.ts';
import { createHash } from 'node:crypto';
import { extractText, getDocumentProxy } from 'unpdf';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink, driveCase, parseTaskPage, submitPermohonan, taskLinks, askCode } from '../cli/drive.ts';
import { docIdFor } from '../core/documents/document-record.ts';
import { shownPurpose } from '../core/documents/signing-task.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { verifyPdfSignatures } from '../functions/signing/verify.ts';
import { firstRevision, MITRA, NASKAH } from './support/kasus.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * A paraf or signature page shows the document, and the signature is made on it (issue 13, item 3), end to end on
 * the embedded runtime with real Chromium (the PDF and its page images) and real PAdES signatures.
 */
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Records the app's DynamoDB requests (`Command table`) until `stop`: `requests` as they are sent, and `timeline` each
 * as it is sent (`> …`) and as its answer comes (`< …`).
 */
let recorders = 0;
function recordRequests(client: DynamoDBClient) {
  const requests: string[] = [];
  const timeline: string[] = [];
  const name = `ujiPermintaan${++recorders}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = `${context.commandName} ${(args.input as { TableName?: string }).TableName}`;
      requests.push(request);
      timeline.push(`> ${request}`);
      try {
        return await next(args);
      } finally {
        timeline.push(`< ${request}`);
      }
    },
    { step: 'initialize', name, override: true },
  );
  return { requests, timeline, stop: () => client.middlewareStack.remove(name) };
}

async function pdfText(bytes: Uint8Array): Promise<{ text: string; pages: number }> {
  const doc = await getDocumentProxy(new Uint8Array(bytes));
  const { text, totalPages } = await extractText(doc, { mergePages: true });
  return { text: text.replace(/\s+/g, ' '), pages: totalPages };
}

describe('a signing task shows its document and is signed on it', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => {
    await rt?.cleanup();
  });

  const openTaskOf = async (caseId: string, node: string) =>
    (await rt.app.store.listTasks({ caseId })).find((t) => t.node === node && t.state === 'open')!;

  /** The page of a link, its form, and each page image fetched (status, type and bytes). */
  async function readPage(link: string) {
    const res = await fetch(link);
    const html = await res.text();
    expect(res.status, html.slice(0, 500)).toBe(200);
    const form = parseTaskPage(html);
    const origin = new URL(link).origin;
    const images = await Promise.all(
      (form.signing?.pages ?? []).map(async (src) => {
        const image = await fetch(`${origin}${src}`);
        return {
          status: image.status,
          type: image.headers.get('content-type'),
          bytes: new Uint8Array(await image.arrayBuffer()),
        };
      }),
    );
    return { html, form, images };
  }

  /** The official's confirmation code for a link, asked for as the page's button does. */
  const codeFor = (link: string, recipient: string) => askCode(link, rt.dataDir, recipient);

  const post = (link: string, action: string, body: Record<string, string>) =>
    fetch(`${new URL(link).origin}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(link).origin },
      body: new URLSearchParams(body).toString(),
    }).then(async (r) => ({ status: r.status, html: await r.text() }));

  it('shows the konsep for a paraf, the final naskah for a signature, refuses a stale hash, re-renders for a new signer and signs once', async () => {
    const { intakeId: caseId } = await submitPermohonan(
      rt,
      permohonanFor(rt, 'kota-penyusunan-kesepakatan-bersama', { 'pihak-mitra': MITRA }, 'Kerja sama persampahan'),
    );
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);

    // ── A paraf: the Kasubbag's own paraf over the konsep (L11.1) ──────────────────────────────────────────────
    const toParaf = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values: NASKAH,
      stopAt: 'L11.1',
      timeoutMs: 150_000,
    });
    const parafLink = toParaf.stoppedAt!.link;
    const parafPage = await readPage(parafLink);
    expect(parafPage.html).toContain('Konsep naskah yang akan Anda paraf');
    expect(parafPage.html).toContain('Saya telah membaca seluruh halaman dokumen ini');
    expect(parafPage.html).toMatch(/<button type="submit" id="kirim-keputusan">Bubuhkan paraf<\/button>/);
    expect(parafPage.html).not.toContain('Kirim keputusan</button>');
    const parafTask = await openTaskOf(caseId, 'L11.1');
    const konsep = (await rt.app.documents.get(docIdFor(shownPurpose(parafTask))))!;
    expect(konsep.kind).toBe('konsep-naskah');
    expect(parafPage.form.signing?.sha256).toBe(konsep.sha256);
    expect(parafPage.html).toContain(String(konsep.meta?.versiIsi));
    // The page lists the case's documents as its link opens and takes the shown one from that list: a page GET reads
    // no document item of its own. One the list does not have (the index is eventually consistent) is read.
    const { requests, timeline, stop } = recordRequests(rt.app.clients.dynamodb);
    const {
      SEPAKAT_TABLE_DOCUMENTS: documents,
      SEPAKAT_TABLE_TASKS: tasks,
      SEPAKAT_TABLE_CASES: cases,
      SEPAKAT_TABLE_HISTORY: history,
    } = rt.app.config;
    try {
      const again = await fetch(parafLink);
      expect(await again.text()).toContain(konsep.sha256);
      expect(requests.filter((r) => r.endsWith(` ${documents}`))).toEqual([`QueryCommand ${documents}`]);
      // The whole GET: the task (the link's), then the case, its documents and the history the page shows, all three
      // sent before any of them answers (one round trip in AWS, not three).
      expect(requests[0]).toBe(`GetItemCommand ${tasks}`);
      const together = [`GetItemCommand ${cases}`, `QueryCommand ${documents}`, `QueryCommand ${history}`];
      expect(requests.slice(1).sort()).toEqual([...together].sort());
      expect(timeline.slice(2, 5).sort()).toEqual(together.map((r) => `> ${r}`).sort());
      // A page image reads the task and the document it shows, not the case.
      requests.length = 0;
      const image = await fetch(`${new URL(parafLink).origin}${parafPage.form.signing!.pages[0]}`);
      expect(image.status).toBe(200);
      expect(requests).toEqual([`GetItemCommand ${tasks}`, `GetItemCommand ${documents}`]);
    } finally {
      stop();
    }
    expect(await rt.app.documentWork.shownDocument(parafTask, [])).toEqual(konsep);
    expect(await rt.app.documentWork.shownDocument(parafTask, [konsep])).toBe(konsep);
    const konsepPdf = await rt.app.documents.read(konsep);
    const konsepText = await pdfText(konsepPdf);
    expect(konsepText.text).toMatch(/KONSEP/);
    expect(parafPage.images).toHaveLength(konsepText.pages);
    for (const image of parafPage.images) {
      expect(image.status).toBe(200);
      expect(image.type).toBe('image/png');
      expect(Buffer.from(image.bytes.subarray(0, 8)).equals(PNG)).toBe(true);
    }
    // The decision's POST opens the link without the listing: the document the paraf is over is read alongside the
    // case (the task's SOP version says its step initials), both sent before either answers.
    const posting = recordRequests(rt.app.clients.dynamodb);
    const sent = posting.timeline;
    try {
      const opened = await rt.app.actions.open(new URL(parafLink).pathname.split('/').pop()!, 'uji-kiriman');
      expect('problem' in opened ? opened.problem : opened.signing?.document?.docId).toBe(konsep.docId);
      expect(sent.slice(0, 2)).toEqual([`> GetItemCommand ${tasks}`, `< GetItemCommand ${tasks}`]);
      expect(sent.slice(2, 4).sort()).toEqual([`> GetItemCommand ${cases}`, `> GetItemCommand ${documents}`].sort());
      expect(sent).toHaveLength(6);
    } finally {
      posting.stop();
    }
    const parafed = await actOnLink(parafLink, (form) => ({ pilihan: form.choices[0]! }), {
      dataDir: rt.dataDir,
      recipient: parafTask.person.email,
    });
    expect(parafed.status, parafed.html.slice(0, 400)).toBe(200);
    // Decided: the link shows no page of the document any more.
    const afterParaf = await fetch(`${new URL(parafLink).origin}${parafPage.form.signing!.pages[0]}`);
    expect(afterParaf.status).toBe(404);
    // The paraf is recorded over the konsep shown: its content version and SHA-256.
    const parafFact = await eventually(async () =>
      (await rt.app.store.listHistory(caseId)).find(
        (e) => e.type === 'otomatis-selesai' && e.node === 'L11.1' && e.detail?.['action'] === 'paraf',
      ),
    );
    expect(parafFact.detail).toMatchObject({ sha256Dokumen: konsep.sha256, versiIsi: konsep.meta?.versiIsi });

    // ── The signature: the Walikota's (L12.2) ──────────────────────────────────────────────────────────────────
    const toSign = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values: NASKAH,
      stopAt: 'L12.2',
      alreadyDone: () => true,
      timeoutMs: 150_000,
    });
    const walikotaLink = toSign.stoppedAt!.link;
    const walikotaTask = await openTaskOf(caseId, 'L12.2');
    const page = await readPage(walikotaLink);
    expect(page.html).toContain('Naskah yang akan Anda tandatangani');
    expect(page.html).toMatch(/<button type="submit" id="kirim-keputusan">Tandatangani secara elektronik<\/button>/);
    const shown = (await rt.app.documents.get(docIdFor(shownPurpose(walikotaTask))))!;
    expect(shown.kind).toBe('naskah-untuk-ditandatangani');
    expect(page.form.signing?.sha256).toBe(shown.sha256);
    expect(page.html).toContain(shown.sha256);
    const shownPdf = await rt.app.documents.read(shown);
    const shownText = await pdfText(shownPdf);
    const nomor = String((await rt.app.store.getCase(caseId))!.data['nomor-naskah']);
    expect(shownText.text).toContain(nomor);
    expect(shownText.text).toMatch(/Ditandatangani secara elektronik oleh Dr\. H\. Ahmad Wijaya/);
    expect(shownText.text).not.toMatch(/KONSEP/);
    // The pages are images of exactly that PDF: one PNG per page, fetched through the task link.
    expect(page.images).toHaveLength(shownText.pages);
    expect(shown.halaman).toHaveLength(shownText.pages);
    for (const image of page.images) {
      expect(image.status).toBe(200);
      expect(image.type).toBe('image/png');
      expect(Buffer.from(image.bytes.subarray(0, 8)).equals(PNG)).toBe(true);
    }
    // No iframe or embed: phones download those instead of showing them.
    expect(page.html).not.toMatch(/<(iframe|embed|object)\b/);

    // A stale hash is refused and nothing is signed.
    const code = await codeFor(walikotaLink, walikotaTask.person.email);
    const stale = await post(walikotaLink, page.form.action, {
      submissionId: page.form.submissionId,
      pilihan: page.form.choices[0]!,
      kode: code,
      sudahDibaca: 'ya',
      sha256Dokumen: sha256(new TextEncoder().encode('naskah lain')),
    });
    expect(stale.status).toBe(400);
    expect(stale.html).toContain('bukan lagi dokumen yang Anda baca');
    expect((await rt.app.documents.listByCase(caseId)).filter((d) => d.kind === 'naskah-ditandatangani')).toEqual([]);
    expect((await rt.app.store.getTask(walikotaTask.taskId))!.state).toBe('open');

    // A reassignment (a delegation to the Sekda as Plh) renders the naskah again, for the new signer, through the
    // render function (as the http function, which has no Chromium in AWS, does).
    const invoked = rt.renderInvocations.length;
    const moved = await rt.app.caseAdmin.reassign({
      taskId: walikotaTask.taskId,
      toPersonId: 'sekda',
      sebagai: 'Plh',
      by: { id: 'admin', nama: 'Admin Uji', jabatan: 'Administrator' },
      reason: 'Walikota sedang dinas luar negeri',
    });
    expect(moved.result).toBe('dialihkan');
    expect(rt.renderInvocations.slice(invoked)).toEqual(['render', 'pageImages']);
    const sekdaTask = (await rt.app.store.getTask(walikotaTask.taskId))!;
    const forSekda = (await rt.app.documents.get(docIdFor(shownPurpose(sekdaTask))))!;
    expect(forSekda.docId).not.toBe(shown.docId);
    expect(forSekda.sha256).not.toBe(shown.sha256);
    const sekdaText = await pdfText(await rt.app.documents.read(forSekda));
    expect(sekdaText.text).toMatch(/Ditandatangani secara elektronik oleh Ir\. Siti Rahmawati, M\.Si\./);
    expect(sekdaText.text).not.toContain('oleh Dr. H. Ahmad Wijaya');
    const sekdaMail = await eventually(async () =>
      (await readMailbox(rt.dataDir)).find(
        (m) => m.to.includes(sekdaTask.person.email) && /^Tugas baru: L12\.2/.test(m.subject),
      ),
    );
    const sekdaLink = taskLinks(sekdaMail)[0]!;
    const sekdaPage = await readPage(sekdaLink);
    expect(sekdaPage.form.signing?.sha256).toBe(forSekda.sha256);
    expect(sekdaPage.images).toHaveLength(sekdaText.pages);
    expect((await fetch(walikotaLink)).status).not.toBe(200);

    // A double POST signs once and records once.
    const sekdaCode = await codeFor(sekdaLink, sekdaTask.person.email);
    const body = {
      submissionId: sekdaPage.form.submissionId,
      pilihan: sekdaPage.form.choices[0]!,
      kode: sekdaCode,
      sudahDibaca: 'ya',
      sha256Dokumen: sekdaPage.form.signing!.sha256,
      // Kota Contoh signs through (the local) BSrE: the Sekda's TTE passphrase.
      passphraseTte: developmentPassphrase(join(rt.dataDir, 'bsre'), 'sekda'),
    };
    const answers = await Promise.all([
      post(sekdaLink, sekdaPage.form.action, body),
      post(sekdaLink, sekdaPage.form.action, body),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual(expect.arrayContaining([200]));
    expect(answers.filter((a) => a.html.includes('Keputusan tercatat</'))).toHaveLength(1);
    const signedDocs = (await rt.app.documents.listByCase(caseId)).filter((d) => d.kind === 'naskah-ditandatangani');
    expect(signedDocs).toHaveLength(1);
    const decided = (await rt.app.store.listHistory(caseId)).filter(
      (e) => e.type === 'tugas-diputuskan' && e.node === 'L12.2',
    );
    expect(decided).toHaveLength(1);
    const again = await post(sekdaLink, sekdaPage.form.action, body);
    expect(again.html).toContain('Keputusan Anda sudah tercatat');
    expect((await rt.app.documents.listByCase(caseId)).filter((d) => d.kind === 'naskah-ditandatangani')).toHaveLength(
      1,
    );

    // The signed PDF is the shown PDF plus the signature: its unsigned revision has the SHA-256 shown on the page.
    const signed = await rt.app.documents.read(signedDocs[0]!);
    expect(sha256(firstRevision(signed))).toBe(sekdaPage.form.signing!.sha256);
    expect(
      Buffer.from(signed.subarray(0, forSekda.size)).equals(Buffer.from(await rt.app.documents.read(forSekda))),
    ).toBe(true);
    const report = await verifyPdfSignatures(signed, {
      trustedRoots: await (await rt.app.keys()).trustedRoots(),
      checkDate: new Date(),
    });
    expect(report.valid).toBe(true);
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]!.signerName).toBe('Ir. Siti Rahmawati, M.Si.');
    expect(report.lastSignatureCoversWholeFile).toBe(true);
    // The case goes on with the signed naskah recorded on it.
    await eventually(async () =>
      (await rt.app.store.getCase(caseId))!.data['dokumen-naskah-ditandatangani'] === signedDocs[0]!.docId
        ? true
        : undefined,
    );
  });
});
