import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  localSesClientConfig,
  readMailbox,
  startLocalSes,
  type LocalSes,
  type StoredMail,
} from '../local/ses/local-ses.ts';

let dataDir: string;
let ses: LocalSes;
let client: SESv2Client;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sepakat-ses-'));
  ses = await startLocalSes({ dataDir });
  client = new SESv2Client(localSesClientConfig(ses.endpoint));
});

afterEach(async () => {
  client.destroy();
  await ses.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function rawMessage(options: { messageId: string; to: string; subject: string; text: string }) {
  return new MailComposer({
    from: 'Bagian Kerja Sama <kerjasama@pemda.example.id>',
    to: options.to,
    cc: 'arsip@pemda.example.id',
    subject: options.subject,
    text: options.text,
    html: `<p>${options.text}</p>`,
    messageId: options.messageId,
  })
    .compile()
    .build();
}

describe('local SES (SESv2 SendEmail)', () => {
  it('stores a Simple message as .eml and .json and lists it', async () => {
    const result = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'Sepakat <no-reply@sepakat.example.id>',
        Destination: {
          ToAddresses: ['Pengusul <pengusul@dinas.example.id>'],
          CcAddresses: ['asisten@pemda.example.id'],
          BccAddresses: ['audit@pemda.example.id'],
        },
        Content: {
          Simple: {
            Subject: { Data: 'Naskah menunggu paraf' },
            Body: {
              Text: { Data: 'Buka https://sepakat.example.id/naskah/42?tab=paraf. Terima kasih.' },
              Html: {
                Data: '<p><a href="https://sepakat.example.id/naskah/42?tab=paraf&amp;from=mail">Buka</a> or see http://localhost:3000/help</p>',
              },
            },
          },
        },
      }),
    );

    expect(result.MessageId).toMatch(/^local-[0-9a-f]{40}$/);
    const mailbox = await readMailbox(dataDir);
    expect(mailbox).toHaveLength(1);
    const mail = mailbox[0]!;
    expect(mail).toMatchObject({
      messageId: result.MessageId,
      from: 'no-reply@sepakat.example.id',
      to: ['pengusul@dinas.example.id'],
      cc: ['asisten@pemda.example.id'],
      bcc: ['audit@pemda.example.id'],
      subject: 'Naskah menunggu paraf',
      links: [
        'https://sepakat.example.id/naskah/42?tab=paraf',
        'https://sepakat.example.id/naskah/42?tab=paraf&from=mail',
        'http://localhost:3000/help',
      ],
    });
    expect(new Date(mail.sentAt).toISOString()).toBe(mail.sentAt);

    const files = (await readdir(path.join(dataDir, 'mail'))).sort();
    expect(files).toEqual([`${result.MessageId}.eml`, `${result.MessageId}.json`]);
    const parsed = await simpleParser(await readFile(path.join(dataDir, 'mail', mail.emlFile)));
    expect(parsed.subject).toBe('Naskah menunggu paraf');
    expect(parsed.messageId).toBe(mail.headerMessageId);
    expect(parsed.text).toContain('https://sepakat.example.id/naskah/42');
    expect(parsed.headers.has('bcc')).toBe(false);
  });

  it('stores a Raw message with recipients from its headers and serves it over GET /store', async () => {
    const raw = await rawMessage({
      messageId: '<raw-1@sepakat.example.id>',
      to: 'walikota@pemda.example.id',
      subject: 'Nomor naskah terbit',
      text: 'Nomor 100/KS/2026 https://sepakat.example.id/arsip/7',
    });

    const result = await client.send(new SendEmailCommand({ Content: { Raw: { Data: raw } } }));

    const stored = await readFile(path.join(dataDir, 'mail', `${result.MessageId}.eml`));
    expect(stored.equals(raw)).toBe(true);

    const list = (await (await fetch(`${ses.endpoint}/store`)).json()) as StoredMail[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      messageId: result.MessageId,
      headerMessageId: '<raw-1@sepakat.example.id>',
      from: 'kerjasama@pemda.example.id',
      to: ['walikota@pemda.example.id'],
      cc: ['arsip@pemda.example.id'],
      subject: 'Nomor naskah terbit',
      links: ['https://sepakat.example.id/arsip/7'],
    });
    const one = await fetch(`${ses.endpoint}/store/${result.MessageId}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual(list[0]);
    const rawOverHttp = Buffer.from(await (await fetch(`${ses.endpoint}/store/${result.MessageId}/raw`)).arrayBuffer());
    expect(rawOverHttp.equals(raw)).toBe(true);
    expect((await fetch(`${ses.endpoint}/store/local-unknown`)).status).toBe(404);
  });

  it('lists both Simple and Raw messages, oldest first', async () => {
    const first = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'no-reply@sepakat.example.id',
        Destination: { ToAddresses: ['a@example.id'] },
        Content: { Simple: { Subject: { Data: 'satu' }, Body: { Text: { Data: 'satu' } } } },
      }),
    );
    const second = await client.send(
      new SendEmailCommand({
        Content: {
          Raw: {
            Data: await rawMessage({ messageId: '<dua@x.id>', to: 'b@example.id', subject: 'dua', text: 'dua' }),
          },
        },
      }),
    );

    const mailbox = await readMailbox(dataDir);
    expect(mailbox.map((m) => m.subject)).toEqual(['satu', 'dua']);
    expect(mailbox.map((m) => m.messageId)).toEqual([first.MessageId, second.MessageId]);
  });

  it('stores a message resent with the same Message-ID once and returns the same MessageId', async () => {
    const raw = await rawMessage({
      messageId: '<notice-42-paraf@sepakat.example.id>',
      to: 'pengusul@dinas.example.id',
      subject: 'Pengingat',
      text: 'Pengingat paraf',
    });

    const first = await client.send(new SendEmailCommand({ Content: { Raw: { Data: raw } } }));
    const again = await client.send(new SendEmailCommand({ Content: { Raw: { Data: raw } } }));
    const concurrent = await Promise.all(
      [1, 2, 3].map(() => client.send(new SendEmailCommand({ Content: { Raw: { Data: raw } } }))),
    );

    expect(again.MessageId).toBe(first.MessageId);
    expect(concurrent.map((r) => r.MessageId)).toEqual([first.MessageId, first.MessageId, first.MessageId]);
    expect(await readMailbox(dataDir)).toHaveLength(1);
    expect((await readdir(path.join(dataDir, 'mail'))).sort()).toEqual([
      `${first.MessageId}.eml`,
      `${first.MessageId}.json`,
    ]);
  });

  it('deduplicates Simple content by a Message-ID given in Headers, across a restart', async () => {
    const send = () =>
      client.send(
        new SendEmailCommand({
          FromEmailAddress: 'no-reply@sepakat.example.id',
          Destination: { ToAddresses: ['pengusul@dinas.example.id'] },
          Content: {
            Simple: {
              Subject: { Data: 'Disposisi' },
              Body: { Text: { Data: 'Ada disposisi baru.' } },
              Headers: [{ Name: 'Message-ID', Value: '<disposisi-9@sepakat.example.id>' }],
            },
          },
        }),
      );
    const first = await send();
    await ses.close();
    client.destroy();
    ses = await startLocalSes({ dataDir });
    client = new SESv2Client(localSesClientConfig(ses.endpoint));

    const again = await send();

    expect(again.MessageId).toBe(first.MessageId);
    const mailbox = await readMailbox(dataDir);
    expect(mailbox).toHaveLength(1);
    expect(mailbox[0]!.headerMessageId).toBe('<disposisi-9@sepakat.example.id>');
  });

  it('keeps the attachments of Simple content in the MIME message', async () => {
    const pdf = Buffer.from('%PDF-1.7 naskah');
    const result = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'no-reply@sepakat.example.id',
        Destination: { ToAddresses: ['pengusul@dinas.example.id'] },
        Content: {
          Simple: {
            Subject: { Data: 'Naskah terlampir' },
            Body: { Text: { Data: 'Terlampir.' } },
            Attachments: [{ FileName: 'naskah.pdf', RawContent: pdf, ContentType: 'application/pdf' }],
          },
        },
      }),
    );

    const [mail] = await readMailbox(dataDir);
    expect(mail?.attachments).toEqual([{ filename: 'naskah.pdf', contentType: 'application/pdf', size: pdf.length }]);
    const parsed = await simpleParser(await readFile(path.join(dataDir, 'mail', `${result.MessageId}.eml`)));
    expect(parsed.attachments.map((a) => [a.filename, a.content.equals(pdf)])).toEqual([['naskah.pdf', true]]);
  });

  it('rejects a message with no destination with BadRequestException', async () => {
    const attempt = client.send(
      new SendEmailCommand({
        FromEmailAddress: 'no-reply@sepakat.example.id',
        Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: 'x' } } } },
      }),
    );

    await expect(attempt).rejects.toMatchObject({
      name: 'BadRequestException',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringContaining('Destination'),
    });
    expect(await readMailbox(dataDir)).toEqual([]);
  });

  it('rejects a Raw message whose headers name no recipient and an illegal address', async () => {
    const noRecipient = new MailComposer({ from: 'a@example.id', subject: 's', text: 't' }).compile();
    await expect(
      client.send(new SendEmailCommand({ Content: { Raw: { Data: await noRecipient.build() } } })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(
      client.send(
        new SendEmailCommand({
          FromEmailAddress: 'no-reply@sepakat.example.id',
          Destination: { ToAddresses: ['not-an-address'] },
          Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: 'x' } } } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'BadRequestException', message: expect.stringContaining('Illegal address') });
  });
});

describe('local SES storage without an fsync per part', () => {
  it('stores every message of a burst whole: each .eml with its parts, each .json, no temporary file', async () => {
    const n = 40;
    const sent = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const pdf = Buffer.from(`%PDF-1.7 naskah ${i} ${'x'.repeat(i * 100)}`);
        const result = await client.send(
          new SendEmailCommand({
            FromEmailAddress: 'no-reply@sepakat.example.id',
            Destination: { ToAddresses: [`pejabat-${i}@pemda.example.id`] },
            Content: {
              Simple: {
                Subject: { Data: `Naskah ${i}` },
                Body: { Text: { Data: `Teks ${i}` }, Html: { Data: `<p>Teks ${i}</p>` } },
                Attachments: [{ FileName: `naskah-${i}.pdf`, RawContent: pdf, ContentType: 'application/pdf' }],
              },
            },
          }),
        );
        return { messageId: result.MessageId!, pdf, i };
      }),
    );

    const mailbox = await readMailbox(dataDir);
    expect(mailbox).toHaveLength(n);
    for (const { messageId, pdf, i } of sent) {
      const mail = mailbox.find((m) => m.messageId === messageId);
      expect(mail).toMatchObject({ subject: `Naskah ${i}`, to: [`pejabat-${i}@pemda.example.id`] });
      const parsed = await simpleParser(await readFile(path.join(dataDir, 'mail', mail!.emlFile)));
      expect(parsed.text?.trim()).toBe(`Teks ${i}`);
      expect(parsed.html).toContain(`<p>Teks ${i}</p>`);
      expect(parsed.attachments.map((a) => [a.filename, a.content.equals(pdf)])).toEqual([[`naskah-${i}.pdf`, true]]);
    }
    const files = await readdir(path.join(dataDir, 'mail'));
    expect(files.filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(n);
    expect(files.filter((f) => f.endsWith('.eml'))).toHaveLength(n);

    // A restart reads the same mailbox and a resend stores nothing twice.
    await ses.close();
    ses = await startLocalSes({ dataDir });
    client.destroy();
    client = new SESv2Client(localSesClientConfig(ses.endpoint));
    expect(await readMailbox(dataDir)).toHaveLength(n);
  });
});
