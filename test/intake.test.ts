import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf, samplePng, submitPermohonan, type PermohonanInput } from '../cli/drive.ts';
import { executionNameForIntake } from '../core/case/intake.ts';
import { ErrorNames, isSepakatError } from '../core/errors.ts';
import { stateMachineName } from '../functions/config.ts';
import { intakeHandler } from '../functions/handlers/step-task-handlers.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { PRINCIPALS, sessionFor, web } from './support/console.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

const SOP = 'kota-penyusunan-kesepakatan-bersama';
const BLITAR = 'blitar-pengkoordinasian-nota-kesepakatan';
const BUCKET = 'sepakat-permohonan';

describe('a permohonan uploaded to the intake bucket', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  // The runtime's clock runs ahead when a test needs hours to pass (grace periods, confirmation deadlines).
  let ahead = 0;
  beforeAll(async () => {
    rt = await startTestRuntime({
      maxUploadBytes: 64 * 1024,
      schedulerIntervalMs: 0,
      intakeSweepIntervalMs: 0,
      clock: { now: () => new Date(Date.now() + ahead) },
    });
  });
  afterAll(async () => rt?.cleanup());

  const s3 = () => rt.app.clients.s3;
  const mailsTo = async (email: string, subject: RegExp) =>
    (await readMailbox(rt.dataDir)).filter((m) => m.to.includes(email) && subject.test(m.subject));
  const keysUnder = async (prefix: string) =>
    ((await s3().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
  const bytesOf = async (key: string, bucket = BUCKET) =>
    Buffer.from(
      await (await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray(),
    );

  /** The first steps of the form's script: check the form, get the presigned uploads and the manifest to PUT. */
  async function prepare(input: PermohonanInput) {
    const res = await fetch(`${rt.urls.web}/api/permohonan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: rt.urls.web },
      body: JSON.stringify({
        sopId: input.sopId,
        perihal: input.perihal,
        pemohon: input.pemohon,
        data: input.data,
        files: input.files.map((f) => ({ slot: f.slot, name: f.name, size: f.bytes.length })),
      }),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        intakeId: string;
        uploads: { slot: string; key: string; url: string; contentType: string }[];
        manifest: { key: string; url: string; body: string };
        pesan?: string;
        rincian?: Record<string, string>;
      },
    };
  }
  const put = (url: string, contentType: string, body: Uint8Array | string) =>
    fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body });

  it('starts a case once the contact confirms, keeping each checked file under a key that holds its SHA-256', async () => {
    const { intakeId, state } = await submitPermohonan(rt, permohonanFor(rt, SOP));
    expect(state).toBe('kasus');
    const record = (await rt.app.store.getCase(intakeId))!;
    expect(record.sopKey).toBe(`${SOP}@1`);
    const file = record.files[0]!;
    expect(file).toMatchObject({ slot: 'surat-permohonan', contentType: 'application/pdf', bucket: BUCKET });
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(file.key).toBe(`diterima/${intakeId}/${file.sha256}`);
    // The upload's own key (writable through its URL for 15 minutes) is gone: nobody reads it.
    expect(await keysUnder(`permohonan/${intakeId}/`)).toEqual([]);
    const receipt = await eventually(async () =>
      (await mailsTo(PEMOHON.email, /^Permohonan diterima/)).find((m) => m.text?.includes(intakeId)),
    );
    expect(receipt.text).toContain(`Nomor kasus: ${intakeId}`);
    expect(receipt.text).toContain(file.sha256);
  });

  it('starts nothing twice when the S3 event is delivered again (ExecutionAlreadyExists, locally too)', async () => {
    const { intakeId } = await submitPermohonan(rt, permohonanFor(rt, SOP));
    await eventually(async () => (await rt.app.store.getCase(intakeId))?.cursor);
    const handler = intakeHandler(rt.app);
    const event = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: BUCKET }, object: { key: `permohonan/${intakeId}/manifest.json` } },
        },
      ],
    };
    const again = await handler(event);
    expect(again.outcomes[0]).toMatchObject({ outcome: 'dimulai', caseId: intakeId });
    const executions = await rt.app.clients.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: `arn:aws:states:ap-southeast-3:000000000000:stateMachine:${stateMachineName(`${SOP}@1`)}`,
      }),
    );
    expect(executions.executions!.filter((e) => e.name === executionNameForIntake(intakeId))).toHaveLength(1);
    const described = await rt.app.clients.sfn.send(
      new DescribeExecutionCommand({
        executionArn: executions.executions!.find((e) => e.name === executionNameForIntake(intakeId))!.executionArn!,
      }),
    );
    // The execution carries only the case id and its position.
    expect(JSON.parse(described.input!)).toEqual({ caseId: intakeId, position: { node: '_mulai', seq: 0 } });
    expect(
      (await mailsTo(PEMOHON.email, /^Permohonan diterima/)).filter((m) => m.text?.includes(intakeId)),
    ).toHaveLength(1);
  });

  it('serves the accepted bytes after a PUT to the old upload URL, and refuses bytes changed in the bucket', async () => {
    // Arrange: a Blitar case at its first task, its upload URL still within its 15 minutes.
    const input = permohonanFor(rt, BLITAR);
    const original = input.files[0]!.bytes;
    const prepared = await prepare(input);
    expect(prepared.status).toBe(200);
    for (const [i, upload] of prepared.body.uploads.entries())
      expect((await put(upload.url, upload.contentType, new Uint8Array(input.files[i]!.bytes))).status).toBe(200);
    expect((await put(prepared.body.manifest.url, 'application/json', prepared.body.manifest.body)).status).toBe(200);
    const { intakeId } = prepared.body;
    const confirmation = await eventually(async () =>
      (await mailsTo(PEMOHON.email, /^Konfirmasi permohonan/)).find((m) => m.subject.includes(intakeId)),
    );
    const link = new URL(confirmation.links.find((l) => l.includes('/permohonan/konfirmasi/'))!).pathname;
    const token = /name="_token" value="([^"]+)"/.exec((await web(rt, link)).text)![1]!;
    expect((await web(rt, link, { form: { _token: token } })).status).toBe(303);
    const task = await eventually(async () =>
      (await rt.app.store.listTasks({ caseId: intakeId })).find((t) => t.state === 'open'),
    );
    const taskPath = new URL(rt.app.runtime.taskUrl(task)).pathname;
    const record = (await rt.app.store.getCase(intakeId))!;
    const file = record.files[0]!;

    // Act 1: the attack of the report: a PUT of other bytes (an .exe, same size) to the old presigned URL.
    const exe = Buffer.alloc(original.length, 0x90);
    exe.write('MZ', 0, 'latin1');
    const upload = prepared.body.uploads[0]!;
    await put(upload.url, upload.contentType, new Uint8Array(exe));

    // Assert 1: every reader still gets the accepted bytes.
    const viaTask = await web(rt, `${taskPath}/berkas/0`, { form: {} });
    expect(viaTask.status).toBe(303);
    const served = await fetch(viaTask.headers.get('location')!);
    expect(served.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await served.arrayBuffer()).equals(original)).toBe(true);
    expect(Buffer.from(await rt.app.files.readAccepted(file, 1e6)).equals(original)).toBe(true);
    // The late PUT itself is moved aside by the sweep, with its reason, and never read.
    await rt.sweepIntake();
    expect(await keysUnder(`permohonan/${intakeId}/`)).toEqual([]);
    const late = await keysUnder(`karantina/${intakeId}/susulan/`);
    expect(late).toHaveLength(1);
    expect((await bytesOf(late[0]!)).equals(exe)).toBe(true);

    // Act 2: the stored object itself is changed behind the product's back.
    await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: file.key, Body: exe, ContentType: 'application/pdf' }));

    // Assert 2: every reader refuses it: the task page, the console, and what automatic steps read.
    const refusedTask = await web(rt, `${taskPath}/berkas/0`, { form: {} });
    expect(refusedTask.status).toBe(409);
    expect(refusedTask.text).toContain('Berkas tidak utuh');
    expect(refusedTask.headers.get('location')).toBeNull();
    const { cookie, csrf } = sessionFor(rt, PRINCIPALS.pelaksanaBlitar);
    const casePage = await web(rt, `/konsol/kasus/${intakeId}`, { cookie });
    const consoleDownload = /action="(\/konsol\/kasus\/[^"]+\/berkas\/[A-Za-z0-9_-]{22}\/unduh)"/.exec(
      casePage.text,
    )![1]!;
    const refusedConsole = await web(rt, consoleDownload, { cookie, form: { _csrf: csrf } });
    expect(refusedConsole.status).toBe(409);
    const read = await rt.app.files.readAccepted(file, 1e6).catch((e: unknown) => e);
    expect(isSepakatError(read, ErrorNames.Tampered)).toBe(true);
    // Refusals hand out nothing and record no download.
    expect((await rt.app.store.listHistory(intakeId)).filter((e) => e.type === 'dokumen-diunduh')).toHaveLength(1);
  }, 60_000);

  it('signs the size and type of each presigned PUT and lets it live at most 15 minutes', async () => {
    const input = permohonanFor(rt, SOP);
    const { body } = await prepare(input);
    const upload = body.uploads[0]!;
    const url = new URL(upload.url);
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(15 * 60);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
    const declared = input.files[0]!.bytes;
    // A body of another size, or another type, is refused by the storage itself.
    expect(
      (await put(upload.url, upload.contentType, new Uint8Array(Buffer.concat([declared, declared])))).status,
    ).toBe(403);
    expect((await put(upload.url, 'application/x-msdownload', new Uint8Array(declared))).status).toBe(403);
    // A URL whose expiry was edited no longer matches its signature.
    url.searchParams.set('X-Amz-Expires', '604800');
    expect((await put(url.toString(), upload.contentType, new Uint8Array(declared))).status).toBe(403);
    // An expired URL is refused (the adapter never signs for longer than 15 minutes; here for 1 second).
    const short = await rt.app.files.presignUpload(BUCKET, `permohonan/${body.intakeId}/berkas/x.pdf`, {
      contentType: 'application/pdf',
      size: declared.length,
      expiresSeconds: 1,
    });
    await new Promise((r) => setTimeout(r, 2100));
    expect((await put(short, 'application/pdf', new Uint8Array(declared))).status).toBe(403);
    expect(await keysUnder(`permohonan/${body.intakeId}/`)).toEqual([]);
  });

  it('refuses an oversize file before upload, and a body larger than declared at the storage', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(100 * 1024, 0x20)]);
    const refused = await prepare({
      ...permohonanFor(rt, SOP),
      files: [{ slot: 'surat-permohonan', name: 'surat.pdf', bytes: big }],
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.rincian)).toMatch(/terlalu besar|paling besar/);
    // A client that lies about the size: the storage refuses the PUT (the size is signed), nothing is stored.
    await expect(
      submitPermohonan(rt, { ...permohonanFor(rt, SOP), upload: () => big }, { confirm: false }),
    ).rejects.toThrow(/403/);
  });

  it('quarantines a file whose content is not what it claims, moving all of the permohonan to karantina/', async () => {
    const input = permohonanFor(rt, SOP);
    input.files = [{ slot: 'surat-permohonan', name: 'surat.pdf', bytes: samplePng() }];
    const { intakeId, state } = await submitPermohonan(rt, input);
    expect(state).toBe('dikarantina');
    const notice = await eventually(async () =>
      (await mailsTo(PEMOHON.email, /^Permohonan belum dapat diterima/)).find((m) => m.subject.includes(intakeId)),
    );
    expect(notice.text).toContain('bukan PDF');
    expect(await rt.app.store.getCase(intakeId)).toBeUndefined();
    const quarantined = await s3().send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: `karantina/${intakeId}/berkas/surat-permohonan-surat.pdf` }),
    );
    expect(decodeURIComponent(quarantined.Metadata!.alasan!)).toContain('bukan PDF');
    expect(await keysUnder(`permohonan/${intakeId}/`)).toEqual([]);
    expect(await keysUnder(`diterima/${intakeId}/`)).toEqual([]);
  });

  it('quarantines a manifest that is not the one built for it, with everything uploaded beside it', async () => {
    for (const manifest of [() => '{ bukan json', (m: Record<string, unknown>) => ({ ...m, intakeId: 'lain' })]) {
      const { intakeId } = await submitPermohonan(rt, { ...permohonanFor(rt, SOP), manifest });
      const reason = await eventually(async () =>
        rt.app.files.getText(BUCKET, `karantina/${intakeId}/alasan.json`, 10_000),
      );
      expect(reason).toContain('Manifest tidak sama dengan yang disiapkan Sepakat');
      // Nothing is left outside karantina/: the manifest and the uploaded file moved there too.
      expect(await keysUnder(`permohonan/${intakeId}/`)).toEqual([]);
      expect(await keysUnder(`diterima/${intakeId}/`)).toEqual([]);
      expect((await keysUnder(`karantina/${intakeId}/`)).sort()).toEqual(
        [
          `karantina/${intakeId}/alasan.json`,
          `karantina/${intakeId}/berkas/surat-permohonan-surat-permohonan.pdf`,
          `karantina/${intakeId}/manifest.json`,
        ].sort(),
      );
      expect(await rt.app.store.getCase(intakeId)).toBeUndefined();
    }
  });

  it('refuses a permohonan for an SOP it does not know, or missing required data, before any upload', async () => {
    const unknown = await prepare({ ...permohonanFor(rt, SOP), sopId: 'tidak-ada' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.pesan).toContain('tidak dikenal');
    const input = permohonanFor(rt, SOP);
    delete input.data['pihak-mitra'];
    const missing = await prepare(input);
    expect(missing.status).toBe(400);
    expect(missing.body.rincian!['d_pihak-mitra']).toMatch(/wajib diisi/);
  });

  it('moves uploads with no manifest, and uploads to a folder nobody reserved, to karantina/ after the grace period', async () => {
    const input = permohonanFor(rt, SOP);
    const { body } = await prepare(input);
    const upload = body.uploads[0]!;
    expect((await put(upload.url, upload.contentType, new Uint8Array(input.files[0]!.bytes))).status).toBe(200);
    await s3().send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'permohonan/tanpa-reservasi/berkas/x.pdf', Body: samplePdf('x') }),
    );
    // Within the grace period the sweep leaves both alone (the pemohon may still be uploading).
    await rt.sweepIntake();
    expect(await keysUnder(`permohonan/${body.intakeId}/`)).toEqual([upload.key]);

    ahead += 61 * 60_000;
    await rt.sweepIntake();

    expect(await keysUnder(`permohonan/${body.intakeId}/`)).toEqual([]);
    expect(await keysUnder('permohonan/tanpa-reservasi/')).toEqual([]);
    expect(await rt.app.files.getText(BUCKET, `karantina/${body.intakeId}/alasan.json`, 10_000)).toContain(
      'manifest tidak diterima',
    );
    expect(await keysUnder('karantina/tanpa-reservasi/')).toContain('karantina/tanpa-reservasi/berkas/x.pdf');
    const status = await rt.app.intake.status(body.intakeId);
    expect(status.state).toBe('dikarantina');
  });

  it('creates no case and tells no official of a permohonan its contact never confirms; it expires to karantina/', async () => {
    const contact = { ...PEMOHON, email: 'tidak-mengonfirmasi@mitra.test' };
    const { intakeId, state } = await submitPermohonan(
      rt,
      { ...permohonanFor(rt, SOP), pemohon: contact },
      { confirm: false },
    );
    expect(state).toBe('terkirim');
    const confirmation = await eventually(async () =>
      (await mailsTo(contact.email, /^Konfirmasi permohonan/)).find((m) => m.subject.includes(intakeId)),
    );
    const link = new URL(confirmation.links.find((l) => l.includes('/permohonan/konfirmasi/'))!).pathname;
    expect(await rt.app.store.getCase(intakeId)).toBeUndefined();
    expect((await readMailbox(rt.dataDir)).filter((m) => m.text?.includes(intakeId))).toHaveLength(1);
    expect(await keysUnder(`diterima/${intakeId}/`)).toHaveLength(1);

    ahead += 49 * 3600_000;
    await rt.sweepIntake();

    expect(await rt.app.store.getCase(intakeId)).toBeUndefined();
    expect((await rt.app.intake.status(intakeId)).state).toBe('dikarantina');
    expect(await keysUnder(`diterima/${intakeId}/`)).toEqual([]);
    expect((await keysUnder(`karantina/${intakeId}/diterima/`)).length).toBe(1);
    // The link no longer confirms anything.
    const page = await web(rt, link);
    expect(page.status).toBe(410);
    expect(await rt.app.store.getCase(intakeId)).toBeUndefined();
  });
});

describe('the limits of the public intake', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime({
      schedulerIntervalMs: 0,
      intakeSweepIntervalMs: 0,
      limits: { preparePerSourcePerHour: 3, mailsPerAddressPerDay: 1, mailsPerSourcePerDay: 100 },
    });
  });
  afterAll(async () => rt?.cleanup());

  it('sends one confirmation a day to an unconfirmed address, and refuses a flood of permohonan from one source', async () => {
    const first = await submitPermohonan(rt, permohonanFor(rt, SOP), { confirm: false });
    const second = await submitPermohonan(rt, permohonanFor(rt, SOP), { confirm: false });
    const status = await eventually(async () => {
      const s = await rt.app.intake.status(second.intakeId);
      return s.state === 'dikarantina' && s;
    });
    expect(status.reasons.join(' ')).toContain('Batas email permohonan untuk alamat email ini');
    // The first one's confirmation is sent once it took the address's one email of the day (possibly after the
    // second was refused for want of it).
    const mails = await eventually(async () => {
      const to = (await readMailbox(rt.dataDir)).filter((m) => m.to.includes(PEMOHON.email));
      return to.length > 0 && to;
    });
    // One confirmation; the second permohonan sent nothing more to an address nobody has confirmed.
    expect(mails.map((m) => m.subject)).toEqual([expect.stringContaining(first.intakeId)]);

    // Two preparations so far from this address; the third within the hour still passes, the fourth is refused.
    const again = () => {
      const input = permohonanFor(rt, SOP);
      return fetch(`${rt.urls.web}/api/permohonan`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: rt.urls.web },
        body: JSON.stringify({
          ...input,
          files: input.files.map((f) => ({ slot: f.slot, name: f.name, size: f.bytes.length })),
        }),
      });
    };
    expect((await again()).status).toBe(200);
    const fourth = await again();
    expect(fourth.status).toBe(429);
    expect(((await fourth.json()) as { pesan: string }).pesan).toMatch(
      /^Terlalu banyak permohonan .* setelah .*WIB\.$/,
    );
  });
});
