import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientOf } from '../functions/adapters/aws-clients.ts';
import { driveCase, parseTaskPage, submitPermohonan, askCode } from '../cli/drive.ts';
import { developmentPassphrase } from '../local/bsre/development-users.ts';
import { verifyPdfSignatures } from '../functions/signing/verify.ts';
import { anchorsOf } from '../functions/signing/trust-anchors.ts';
import { MITRA, NASKAH } from './support/kasus.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

/**
 * Signing through BSrE (issue 14, item 1): Kota Contoh's Kepala Bagian signs the Surat Undangan Rapat through the
 * local BSrE service, with his TTE passphrase typed on the signing page — the path a pemda uses in production.
 *
 * One task, in order: a signer BSrE does not know is stopped before anything is sent; three wrong passphrases are
 * each refused in Indonesian and change nothing, and the fourth attempt within the hour is not even sent; a
 * re-rendered PDF and a certificate outside the BSrE chain are refused and recorded; a timeout after BSrE accepted
 * the request is "hasil tidak diketahui", resolved by his new attempt on the same PDF and number, which ends with
 * exactly one signed letter and one number used. The passphrase is then searched for everywhere the product keeps
 * anything: the data directory (tables' files, objects, executions, mails), every table through the SDK, and the log.
 */
const WRONG = 'passphrase-yang-keliru-91';

describe('a signature through the (local) BSrE eSign API', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  const logLines: string[] = [];
  let caseId: string;
  beforeAll(async () => {
    rt = await startTestRuntime({ bsreTimeoutMs: 3_000, log: (line) => logLines.push(line) });
    const { intakeId } = await submitPermohonan(
      rt,
      permohonanFor(rt, 'kota-penyusunan-kesepakatan-bersama', { 'pihak-mitra': MITRA }, 'Undangan rapat BSrE'),
    );
    caseId = intakeId;
    await eventually(async () => (await rt.app.store.getCase(caseId))?.cursor);
  }, 120_000);
  afterAll(async () => rt?.cleanup());

  const trail = () =>
    (existsSync(join(rt.dataDir, 'bsre', 'jejak.jsonl'))
      ? readFileSync(join(rt.dataDir, 'bsre', 'jejak.jsonl'), 'utf8')
      : ''
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { operasi: string; hasil: string });
  const signedLetters = async () =>
    (await rt.app.documents.listByCase(caseId)).filter((d) => d.kind === 'surat-undangan-ditandatangani');

  const codeFor = (link: string, recipient: string) => askCode(link, rt.dataDir, recipient);

  it('stops an unknown signer, refuses wrong passphrases and misbehaving answers, and signs once after an unknown outcome', async () => {
    const run = await driveCase({
      dataDir: rt.dataDir,
      caseId,
      pemohonEmail: PEMOHON.email,
      values: NASKAH,
      stopAt: 'L4.2',
    });
    const link = run.stoppedAt!.link;
    const origin = new URL(link).origin;
    const task = (await rt.app.store.listTasks({ caseId })).find((t) => t.node === 'L4.2' && t.state === 'open')!;
    expect(task.person.id).toBe('kabag-ks');
    const passphrase = developmentPassphrase(join(rt.dataDir, 'bsre'), 'kabag-ks');
    const record = (await rt.app.store.getCase(caseId))!;
    const nomor = String(record.data['nomor-surat-undangan-rapat']);

    let page = parseTaskPage(await (await fetch(link)).text());
    const post = async (fields: Record<string, string>) => {
      const res = await fetch(`${origin}${page.action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams({
          submissionId: page.submissionId,
          pilihan: page.choices[0]!,
          sudahDibaca: 'ya',
          sha256Dokumen: page.signing!.sha256,
          ...fields,
        }).toString(),
      });
      return { status: res.status, html: await res.text() };
    };

    // ── A signer BSrE does not know: the page says what to do, and a POST sends nothing to sign ──────────────────
    const identitiesFile = join(rt.dataDir, 'identitas-bsre.json');
    const identities = readFileSync(identitiesFile, 'utf8');
    const changed = JSON.parse(identities) as Record<string, { nik: string }>;
    changed['kota-contoh/kabag-ks'] = { nik: '9900000000000001' };
    writeFileSync(identitiesFile, JSON.stringify(changed));
    const unknownPage = await (await fetch(link)).text();
    expect(unknownPage).toContain('id="tte-belum-siap"');
    expect(unknownPage).toContain('NOT_REGISTERED');
    expect(unknownPage).toContain('belum terdaftar sebagai pengguna BSrE');
    expect(unknownPage).not.toContain('id="passphraseTte"');
    const codeA = await codeFor(link, task.person.email);
    const signsBefore = trail().filter((t) => t.operasi === 'sign/pdf').length;
    const unregistered = await post({ kode: codeA, passphraseTte: passphrase });
    expect(unregistered.status).toBe(400);
    expect(unregistered.html).toContain('belum terdaftar sebagai pengguna BSrE');
    expect(trail().filter((t) => t.operasi === 'sign/pdf')).toHaveLength(signsBefore);
    writeFileSync(identitiesFile, identities);

    // ── The page asks for the passphrase; a form without it is refused, naming the field ─────────────────────────
    const ready = await (await fetch(link)).text();
    expect(ready).toContain('id="passphraseTte"');
    expect(ready).toContain('type="password"');
    page = parseTaskPage(ready);
    const none = await post({ kode: codeA });
    expect(none.status).toBe(400);
    expect(none.html).toContain('Passphrase TTE wajib diisi');

    // ── Three wrong passphrases: each refused in Indonesian, nothing signed, none echoed; then none is sent ───────
    for (const left of [2, 1]) {
      const wrong = await post({ kode: codeA, passphraseTte: WRONG });
      expect(wrong.status).toBe(400);
      expect(wrong.html).toContain('BSrE menolak passphrase TTE: tidak ada yang ditandatangani.');
      expect(wrong.html).toContain(`Sisa ${left} kali percobaan dalam satu jam.`);
      expect(wrong.html).not.toContain(WRONG);
    }
    const codeB = await codeFor(link, task.person.email);
    const third = await post({ kode: codeB, passphraseTte: WRONG });
    expect(third.html).toContain('Batas percobaan tercapai');
    const sentBefore = trail().filter((t) => t.operasi === 'sign/pdf').length;
    const blocked = await post({ kode: codeB, passphraseTte: passphrase });
    expect(blocked.status).toBe(400);
    expect(blocked.html).toContain('sudah 3 kali ditolak BSrE dalam satu jam; tidak ada yang dikirim');
    expect(trail().filter((t) => t.operasi === 'sign/pdf')).toHaveLength(sentBefore);
    expect(await signedLetters()).toEqual([]);
    expect((await rt.app.store.getTask(task.taskId))!.state).toBe('open');

    // The hour passes (the window's start moved back, as the clock would have moved forward).
    await documentClientOf(rt.app.clients.dynamodb).send(
      new UpdateCommand({
        TableName: 'sepakat-tugas',
        Key: { taskId: task.taskId },
        UpdateExpression: 'SET tteRefusedWindowStart = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 2 * 3600_000).toISOString() },
      }),
    );

    // ── Misbehaving answers: a re-rendered PDF, a certificate outside the chain — refused, recorded, not stored ──
    const codeC = await codeFor(link, task.person.email);
    rt.bsre.setBehaviour({ mode: 'pdf-dirender-ulang' });
    const rerendered = await post({ kode: codeC, passphraseTte: passphrase });
    expect(rerendered.status).toBe(400);
    expect(rerendered.html).toContain('Jawaban BSrE ditolak Sepakat');
    expect(rerendered.html).toContain('bukan PDF yang dikirim ditambah pembaruan inkremental');
    rt.bsre.setBehaviour({ mode: 'sertifikat-luar' });
    const outside = await post({ kode: codeC, passphraseTte: passphrase });
    expect(outside.status).toBe(400);
    expect(outside.html).toContain('tidak berantai ke akar BSrE yang dikonfigurasi');
    expect(await signedLetters()).toEqual([]);

    // ── A timeout after BSrE accepted (and signed): the outcome is unknown; his new attempt signs once ────────────
    rt.bsre.setBehaviour({ mode: 'timeout' });
    const lost = await post({ kode: codeC, passphraseTte: passphrase });
    expect(lost.status).toBe(400);
    expect(lost.html).toContain('hasilnya tidak diketahui');
    expect(trail().at(-1)!.hasil).toBe('ditandatangani, tidak dijawab');
    expect(await signedLetters()).toEqual([]);
    rt.bsre.setBehaviour({ mode: 'normal' });
    // The same page, the same PDF and the same number: he signs again.
    const againHtml = await (await fetch(link)).text();
    expect(againHtml).toContain('id="tte-tidak-diketahui"');
    expect(againHtml).toContain('hasilnya tidak diketahui dan tidak ada dokumen bertanda tangan yang tersimpan');
    const again = parseTaskPage(againHtml);
    expect(again.signing!.sha256).toBe(page.signing!.sha256);
    // This time with a TOTP from BeSign: "Kirim TOTP ke BeSign" posts the form, the code arrives in the (local) app.
    const asked = await fetch(`${link}/totp`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ submissionId: page.submissionId, passphraseTte: passphrase }).toString(),
    });
    const askedHtml = await asked.text();
    expect(asked.status).toBe(200);
    expect(askedHtml).toContain('TOTP dikirim');
    expect(askedHtml).not.toContain(passphrase);
    const nik = (JSON.parse(identities) as Record<string, { nik: string }>)['kota-contoh/kabag-ks']!.nik;
    const totp = (
      JSON.parse(readFileSync(join(rt.dataDir, 'bsre', 'besign', `${nik}.json`), 'utf8')) as { totp: string }
    ).totp;
    const done = await post({ kode: codeC, totpTte: totp });
    expect(done.status, done.html.slice(0, 600)).toBe(200);
    expect(done.html).toContain('Keputusan tercatat');

    const letters = await signedLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]!.nomor).toBe(nomor);
    // The step records the signature after his decision: the number becomes "dipakai".
    await eventually(async () => (await rt.app.register('kota-contoh').get(nomor))?.status === 'dipakai' || undefined);
    const facts = (await rt.app.store.listHistory(caseId)).filter((e) => e.type === 'tanda-tangan-gagal');
    expect(facts.map((f) => f.detail?.hasil).sort()).toEqual(['jawaban-ditolak', 'jawaban-ditolak', 'tidak-diketahui']);

    // ── What BSrE returned: our PDF plus one signature from the BSrE tiruan chain, B-T, never called BSrE ────────
    const bytes = await rt.app.documents.read(letters[0]!);
    const shown = (await rt.app.documents.listByCase(caseId)).find((d) => d.sha256 === page.signing!.sha256)!;
    expect(Buffer.from(bytes.subarray(0, shown.size)).equals(Buffer.from(await rt.app.documents.read(shown)))).toBe(
      true,
    );
    const keys = await rt.app.keys();
    const report = await verifyPdfSignatures(bytes, { anchors: await anchorsOf(keys), checkDate: new Date() });
    expect(report.valid).toBe(true);
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]!.level).toBe('B-T');
    expect(report.signatures[0]!.anchor?.kind).toBe('bsre-tiruan');
    expect(report.signatures[0]!.signerName).toBe('Hendra Gunawan, S.H., M.H.');
    const flipped = new Uint8Array(bytes);
    flipped[Math.floor(report.signatures[0]!.byteRange[1] / 2)]! ^= 0x01;
    expect((await verifyPdfSignatures(flipped, { anchors: await anchorsOf(keys), checkDate: new Date() })).valid).toBe(
      false,
    );
    const verification = await (await fetch(`${rt.urls.web}/verifikasi/${letters[0]!.docId}`)).text();
    expect(verification).toContain('BSrE tiruan — bukan BSrE');
    expect(verification).not.toContain('TTE tersertifikasi BSrE');

    // ── The passphrase (right or wrong) is nowhere: files, tables, executions, mails, objects, log ────────────────
    for (const secret of [passphrase, WRONG]) {
      expect(filesContaining(rt.dataDir, secret)).toEqual([]);
      expect(logLines.filter((l) => l.includes(secret))).toEqual([]);
    }
    const tables = (await rt.app.clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables) {
      const items = JSON.stringify((await rt.app.clients.dynamodb.send(new ScanCommand({ TableName: table }))).Items);
      expect(items.includes(passphrase) || items.includes(WRONG), table).toBe(false);
    }
  }, 300_000);
});

/** Every file under `dir` whose bytes contain `text`. */
function filesContaining(dir: string, text: string): string[] {
  const needle = Buffer.from(text);
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) found.push(...filesContaining(path, text));
    else if (stat.isFile() && readFileSync(path).includes(needle)) found.push(path);
  }
  return found;
}
