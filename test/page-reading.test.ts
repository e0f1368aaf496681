import { describe, expect, it } from 'vitest';
import { parseTaskPage } from '../cli/drive.ts';
import { decodeEntities, firstText, innerOf, startTags, textOf } from '../cli/page-reading.ts';
import { Templates } from '../functions/adapters/page-templates.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { join } from 'node:path';

/** How the CLI and the scripted officials read Sepakat's pages: start tags, attributes, text. */
describe('page reading', () => {
  it('reads start tags with their attributes, decoded', () => {
    const html =
      '<form method="post" action="/a?x=1&amp;y=2" id="f"><input type="hidden" name="_token" value="t&#x3D;1"></form>';
    expect(startTags(html, 'form', 'input').map((t) => [t.name, t.attrs])).toEqual([
      ['form', { method: 'post', action: '/a?x=1&y=2', id: 'f' }],
      ['input', { type: 'hidden', name: '_token', value: 't=1' }],
    ]);
  });

  it('reads the text of an element, with nested elements and entities', () => {
    const html = '<h1>Tanda &amp; <em>tangan</em></h1><div class="kotak-salah">A &lt;b&gt; &#x27;c&#x27;</div>';
    expect(firstText(html, 'h1')).toBe('Tanda & tangan');
    expect(textOf(innerOf(html, startTags(html, 'div')[0]!))).toBe("A <b> 'c'");
    expect(firstText(html, 'h2')).toBe('');
    expect(decodeEntities('&amp;lt;')).toBe('&lt;');
  });

  it('reads a task page rendered by the product template: choices, notes required, fields, code', () => {
    // Arrange
    const templates = new Templates(join(PROJECT_ROOT, 'templates'));
    const html = templates.page(
      'tugas',
      {
        activity: { label: 'Paraf "naskah" & kirim' },
        task: { person: { nama: 'Budi', jabatan: 'Kabag' } },
        record: { pemohon: {} },
        step: {},
        actionUrl: '/tugas/abc.1.x.y',
        submissionId: 'sub-1',
        needsCode: true,
        codeUrl: '/tugas/abc.1.x.y/kode',
        fields: [
          { id: 'nomor', type: 'text', inputType: 'text', label: 'Nomor' },
          {
            id: 'jenis',
            type: 'select',
            pilih: true,
            label: 'Jenis',
            options: [
              { value: 'ksdd', label: 'KSDD' },
              { value: 'ksdpk', label: 'KSDPK' },
            ],
          },
          { id: 'uraian', type: 'textarea', label: 'Uraian' },
          { id: 'setuju', type: 'boolean', label: 'Setuju' },
          { id: 'scan', type: 'file', label: 'Pindaian' },
        ],
        choices: [
          { value: 'lanjut', label: 'Lanjut' },
          { value: 'kembali', label: 'Kembalikan', noteRequired: true },
        ],
      },
      { title: 'Tugas' },
    );

    // Act
    const form = parseTaskPage(html);

    // Assert
    expect(form).toEqual({
      action: '/tugas/abc.1.x.y',
      submissionId: 'sub-1',
      choices: ['lanjut', 'kembali'],
      noteRequired: ['kembali'],
      textFields: [
        { name: 'f_nomor', type: 'text', options: [] },
        { name: 'f_jenis', type: 'select', options: ['ksdd', 'ksdpk'], jenis: 'select' },
        { name: 'f_uraian', type: 'textarea', options: [] },
        { name: 'f_setuju', type: 'checkbox', options: [] },
      ],
      fileSlots: ['scan'],
      needsCode: true,
      title: 'Paraf "naskah" & kirim',
      naskah: {},
    });
  });
});
