import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePng, submitPermohonan } from '../cli/drive.ts';
import { executionNameForIntake } from '../core/case/intake.ts';
import { stateMachineName } from '../functions/config.ts';
import { intakeHandler } from '../functions/handlers/step-tasks.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { eventually, PEMOHON, permohonanFor, startTestRuntime } from './support/runtime.ts';

const SOP = 'kota-penyusunan-kesepakatan-bersama';

describe('a permohonan uploaded to the intake bucket', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime({ maxUploadBytes: 64 * 1024 });
  });
  afterAll(async () => rt?.cleanup());

  const mailsTo = async (email: string, subject: RegExp) =>
    (await readMailbox(rt.dataDir)).filter((m) => m.to.includes(email) && subject.test(m.subject));

  it('starts a case from the manifest uploaded last, pinned to the SOP version, and sends a receipt', async () => {
    const { intakeId } = await submitPermohonan(rt.urls.web, permohonanFor(rt, SOP));
    const record = await eventually(async () => rt.app.store.getCase(intakeId));
    expect(record.sopKey).toBe(`${SOP}@1`);
    expect(record.files[0]).toMatchObject({ slot: 'surat-permohonan', contentType: 'application/pdf' });
    expect(record.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const receipt = await eventually(async () =>
      (await mailsTo(PEMOHON.email, /^Permohonan diterima/)).find((m) => m.text?.includes(intakeId)),
    );
    expect(receipt.text).toContain(`Nomor kasus: ${intakeId}`);
  });

  it('starts nothing twice when the S3 event is delivered again (ExecutionAlreadyExists, locally too)', async () => {
    const { intakeId } = await submitPermohonan(rt.urls.web, permohonanFor(rt, SOP));
    await eventually(async () => (await rt.app.store.getCase(intakeId))?.cursor);
    const handler = intakeHandler(rt.app);
    const event = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'sepakat-permohonan' }, object: { key: `permohonan/${intakeId}/manifest.json` } },
        },
      ],
    };
    const again = await handler(event);
    // Same name and input while it runs: Step Functions answers with the existing execution (after it closes:
    // ExecutionAlreadyExists). Either way there is one execution.
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

  it('quarantines a file whose content is not what it claims, with the reason, and tells the pemohon', async () => {
    const input = permohonanFor(rt, SOP);
    input.files = [{ slot: 'surat-permohonan', name: 'surat.pdf', bytes: samplePng() }];
    const { intakeId } = await submitPermohonan(rt.urls.web, input);
    const notice = await eventually(async () =>
      (await mailsTo(PEMOHON.email, /^Permohonan belum dapat diterima/)).find((m) => m.subject.includes(intakeId)),
    );
    expect(notice.text).toContain('bukan PDF');
    expect(await rt.app.store.getCase(intakeId)).toBeUndefined();
    const quarantined = await rt.app.clients.s3.send(
      new HeadObjectCommand({
        Bucket: 'sepakat-permohonan',
        Key: `karantina/${intakeId}/berkas/surat-permohonan-surat.pdf`,
      }),
    );
    expect(decodeURIComponent(quarantined.Metadata!.alasan!)).toContain('bukan PDF');
    await expect(
      rt.app.clients.s3.send(
        new HeadObjectCommand({
          Bucket: 'sepakat-permohonan',
          Key: `permohonan/${intakeId}/berkas/surat-permohonan-surat.pdf`,
        }),
      ),
    ).rejects.toThrow();
  });

  it('refuses an oversize file before upload, and quarantines one that was uploaded anyway', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(100 * 1024, 0x20)]);
    await expect(
      submitPermohonan(rt.urls.web, {
        ...permohonanFor(rt, SOP),
        files: [{ slot: 'surat-permohonan', name: 'surat.pdf', bytes: big }],
      }),
    ).rejects.toThrow(/terlalu besar|ukuran/);
    // A client that lies about the size: the presigned PUT succeeds, the check after upload catches it.
    const small = permohonanFor(rt, SOP);
    const { intakeId } = await submitPermohonan(rt.urls.web, {
      ...small,
      manifest: (m) => m,
    });
    await eventually(async () => rt.app.store.getCase(intakeId));
    const liar = await fetch(`${rt.urls.web}/api/permohonan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: rt.urls.web },
      body: JSON.stringify({ sopId: SOP, files: [{ slot: 'surat-permohonan', name: 'surat.pdf', size: 1000 }] }),
    });
    const prepared = (await liar.json()) as {
      intakeId: string;
      uploads: { key: string; url: string }[];
      manifest: { url: string };
    };
    await fetch(prepared.uploads[0]!.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      body: new Uint8Array(big),
    });
    await fetch(prepared.manifest.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        intakeId: prepared.intakeId,
        sopId: SOP,
        perihal: 'Berkas terlalu besar',
        pemohon: PEMOHON,
        data: small.data,
        files: [{ slot: 'surat-permohonan', key: prepared.uploads[0]!.key, name: 'surat.pdf' }],
      }),
    });
    const notice = await eventually(async () =>
      (await mailsTo(PEMOHON.email, /^Permohonan belum dapat diterima/)).find((m) =>
        m.subject.includes(prepared.intakeId),
      ),
    );
    expect(notice.text).toContain('terlalu besar');
  });

  it('quarantines a malformed manifest and says which field is wrong', async () => {
    const { intakeId } = await submitPermohonan(rt.urls.web, {
      ...permohonanFor(rt, SOP),
      manifest: (m) => ({ ...m, perihal: 'x' }),
    });
    const notice = await eventually(async () =>
      (await mailsTo(PEMOHON.email, /^Permohonan belum dapat diterima/)).find((m) => m.subject.includes(intakeId)),
    );
    expect(notice.text).toContain('Perihal paling sedikit 5 karakter');
    const notJson = await submitPermohonan(rt.urls.web, { ...permohonanFor(rt, SOP), manifest: () => '{ bukan json' });
    await eventually(async () => {
      const reason = await rt.app.files.getText(
        'sepakat-permohonan',
        `karantina/${notJson.intakeId}/alasan.json`,
        10_000,
      );
      return reason?.includes('Manifest bukan JSON');
    });
    expect(await rt.app.store.getCase(notJson.intakeId)).toBeUndefined();
  });

  it('rejects a permohonan for an SOP it does not know, or missing required data', async () => {
    const unknown = await fetch(`${rt.urls.web}/api/permohonan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: rt.urls.web },
      body: JSON.stringify({ sopId: 'tidak-ada', files: [] }),
    });
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    const input = permohonanFor(rt, SOP);
    delete input.data['pihak-mitra'];
    const { intakeId } = await submitPermohonan(rt.urls.web, input);
    const notice = await eventually(async () =>
      (await mailsTo(PEMOHON.email, /^Permohonan belum dapat diterima/)).find((m) => m.subject.includes(intakeId)),
    );
    expect(notice.text).toMatch(/wajib diisi/);
  });
});
