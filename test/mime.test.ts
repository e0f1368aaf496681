import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMime } from '../functions/adapters/mime.ts';

/** The raw MIME the SES adapter sends, read back by an independent parser (mailparser). */
describe('raw MIME of an outgoing mail', () => {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const pdf = new Uint8Array(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));

  it('keeps our Message-ID, a UTF-8 subject, both bodies and every attachment byte for byte', async () => {
    const raw = composeMime(
      {
        to: ['walikota@kotacontoh.test', 'mitra@sukamaju.test'],
        subject: 'Naskah 000.5.4/001/KS/2026 telah ditandatangani — Kerja Sama Pengelolaan Sampah “Regional” ✓',
        text: 'Yth. Bapak/Ibu,\nNaskah terlampir.\n',
        html: '<p>Yth. Bapak/Ibu,</p><p>Naskah terlampir.</p>',
        messageId: '<abc123@sepakat.test>',
        attachments: [
          { fileName: 'naskah-000-5-4-001-KS-2026.pdf', contentType: 'application/pdf', content: pdf },
          {
            fileName: 'Lembar Riwayat Penandatanganan – 2026.pdf',
            contentType: 'application/pdf',
            content: pdf.slice(7),
          },
        ],
      },
      'Sepakat <sepakat@kotacontoh.test>',
      new Date('2026-12-07T02:00:00Z'),
    );
    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe('<abc123@sepakat.test>');
    expect(parsed.subject).toBe(
      'Naskah 000.5.4/001/KS/2026 telah ditandatangani — Kerja Sama Pengelolaan Sampah “Regional” ✓',
    );
    expect(parsed.text).toBe('Yth. Bapak/Ibu,\nNaskah terlampir.\n');
    expect(parsed.html).toContain('<p>Naskah terlampir.</p>');
    expect(parsed.date?.toISOString()).toBe('2026-12-07T02:00:00.000Z');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, sha(a.content)])).toEqual([
      ['naskah-000-5-4-001-KS-2026.pdf', 'application/pdf', sha(pdf)],
      ['Lembar Riwayat Penandatanganan – 2026.pdf', 'application/pdf', sha(pdf.slice(7))],
    ]);
    // Lines stay within the 998-character limit of RFC 5322.
    expect(
      Math.max(
        ...raw
          .toString('utf8')
          .split('\r\n')
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(998);
  });

  it('sends a plain mail without attachments as multipart/alternative', async () => {
    const raw = composeMime(
      { to: ['a@b.test'], subject: 'Tugas baru: L1', text: 'Halo', html: '<p>Halo</p>', messageId: '<x@y.test>' },
      'sepakat@b.test',
      new Date('2026-12-07T02:00:00Z'),
    );
    expect(raw.toString('utf8')).toMatch(/Content-Type: multipart\/alternative/);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Tugas baru: L1');
    expect(parsed.attachments).toHaveLength(0);
  });
});
