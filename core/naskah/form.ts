import { fieldName, NASKAH_LIMITS, nomorPasal, type EditOp, type NaskahContent, type Pasal } from './content.ts';
import type { Outline } from './outline.ts';

/**
 * The pasal editor as an HTML form, both ways: the view model a page draws (every text in its own field, the order
 * of pasal and ayat in hidden fields, one submit button per operation) and the content read back from a posted form.
 * It works without JavaScript: each operation is a submit button (`naskah_op`) and the page comes back edited; a
 * script may do the same operations in the page and keep the hidden order fields up to date.
 */

export const ORDER = {
  versi: 'n_versi',
  jenis: 'n_jenis',
  pasal: 'n_urutan',
  ayat: (pid: string) => `n_urutan_${pid}`,
  bagian: (kind: 'pertimbangan' | 'dasar') => `n_urutan_${kind}`,
  op: 'naskah_op',
} as const;

const ID = /^[a-z0-9][a-z0-9-]{0,40}$/;

const ids = (raw: string | undefined, max: number): string[] =>
  [
    ...new Set(
      (raw ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => ID.test(s)),
    ),
  ].slice(0, max);

/** Whether a posted form carries the editor. */
export const hasEditor = (form: Readonly<Record<string, string>>): boolean => ORDER.pasal in form;

/** The base version the form was edited from (0: the outline). */
export function baseVersion(form: Readonly<Record<string, string>>): number {
  const n = Number(form[ORDER.versi]);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/**
 * The content a posted editor form holds, in the posted order. Texts are taken as typed (checked by
 * `checkContent` before a save); the kind is the one of the version the form was drawn from.
 */
export function contentFromForm(form: Readonly<Record<string, string>>, jenis: string): NaskahContent {
  const v = (name: string) => form[name] ?? '';
  const opt = (name: string) => (name in form ? { en: v(name) } : {});
  const bagian = (kind: 'pertimbangan' | 'dasar') =>
    ids(form[ORDER.bagian(kind)], NASKAH_LIMITS.bagian + 1).map((id) => ({
      id,
      teks: v(fieldName.bagian(kind, id)),
      ...opt(fieldName.bagian(kind, id, true)),
    }));
  const pasal: Pasal[] = ids(form[ORDER.pasal], NASKAH_LIMITS.pasal + 1).map((pid) => ({
    id: pid,
    judul: v(fieldName.judul(pid)),
    ...(fieldName.judul(pid, true) in form ? { judulEn: v(fieldName.judul(pid, true)) } : {}),
    ...(fieldName.mengubah(pid) in form ? { mengubah: v(fieldName.mengubah(pid)) } : {}),
    ayat: ids(form[ORDER.ayat(pid)], NASKAH_LIMITS.ayatPerPasal + 1).map((aid) => ({
      id: aid,
      teks: v(fieldName.ayat(pid, aid)),
      ...opt(fieldName.ayat(pid, aid, true)),
    })),
  }));
  const induk = fieldName.induk('nomor') in form;
  return {
    jenis,
    tentang: v(fieldName.tentang),
    ...(fieldName.tentangEn in form ? { tentangEn: v(fieldName.tentangEn) } : {}),
    pertimbangan: bagian('pertimbangan'),
    dasar: bagian('dasar'),
    ...(induk
      ? {
          induk: {
            nomor: v(fieldName.induk('nomor')),
            tanggal: v(fieldName.induk('tanggal')),
            tentang: v(fieldName.induk('tentang')),
          },
        }
      : {}),
    pasal,
  };
}

const opValue = (op: EditOp): string => {
  switch (op.op) {
    case 'tambah-pasal':
      return op.setelah ? `${op.op}:${op.setelah}` : op.op;
    case 'hapus-pasal':
    case 'naik-pasal':
    case 'turun-pasal':
      return `${op.op}:${op.pasal}`;
    case 'tambah-ayat':
      return op.setelah ? `${op.op}:${op.pasal}:${op.setelah}` : `${op.op}:${op.pasal}`;
    case 'hapus-ayat':
    case 'naik-ayat':
    case 'turun-ayat':
      return `${op.op}:${op.pasal}:${op.ayat}`;
    case 'tambah-bagian':
      return `${op.op}:${op.bagian}`;
    case 'hapus-bagian':
      return `${op.op}:${op.bagian}:${op.id}`;
  }
};

export interface EditorView {
  jenis: string;
  namaJenis: string;
  versi: number;
  bilingual: boolean;
  adendum: boolean;
  meterai: boolean;
  order: { name: string; value: string }[];
  tentang: { name: string; value: string; en?: { name: string; value: string }; error?: string };
  induk?: { name: string; label: string; value: string; error?: string }[];
  bagian: {
    kind: 'pertimbangan' | 'dasar';
    label: string;
    tambah: string;
    items: {
      no: number;
      name: string;
      value: string;
      en?: { name: string; value: string };
      hapus: string;
      error?: string;
    }[];
  }[];
  pasal: {
    id: string;
    nomor: string;
    judul: { name: string; value: string; en?: { name: string; value: string }; error?: string };
    mengubah?: { name: string; value: string; error?: string };
    naik?: string;
    turun?: string;
    hapus: string;
    tambahSetelah: string;
    tambahAyat: string;
    ayat: {
      id: string;
      label: string;
      name: string;
      value: string;
      en?: { name: string; value: string };
      naik?: string;
      turun?: string;
      hapus: string;
      error?: string;
    }[];
  }[];
  /** Blanks ("……") still to fill, by where they are. */
  kosong: string[];
}

/** The editor's view model: the content with its field names, order fields and operation buttons. */
export function editorView(
  content: NaskahContent,
  outline: Outline,
  versi: number,
  errors: Readonly<Record<string, string>> = {},
): EditorView {
  const en = (name: string, value: string | undefined) =>
    outline.bilingual ? { en: { name, value: value ?? '' } } : {};
  const err = (name: string) => (errors[name] ? { error: errors[name] } : {});
  const kosong: string[] = [];
  const blank = (where: string, ...texts: (string | undefined)[]) => {
    if (texts.some((t) => t?.includes('……'))) kosong.push(where);
  };
  blank('Judul naskah', content.tentang, content.tentangEn);
  const bagian = (['pertimbangan', 'dasar'] as const)
    .filter(
      (kind) => (kind === 'pertimbangan' ? outline.adaPertimbangan : outline.adaDasar) || content[kind].length > 0,
    )
    .map((kind) => {
      const label = kind === 'pertimbangan' ? 'Pertimbangan (menimbang, "bahwa …")' : 'Dasar hukum';
      return {
        kind,
        label,
        tambah: opValue({ op: 'tambah-bagian', bagian: kind }),
        items: content[kind].map((b, i) => {
          blank(`${label} ${i + 1}`, b.teks, b.en);
          return {
            no: i + 1,
            name: fieldName.bagian(kind, b.id),
            value: b.teks,
            ...en(fieldName.bagian(kind, b.id, true), b.en),
            hapus: opValue({ op: 'hapus-bagian', bagian: kind, id: b.id }),
            ...err(fieldName.bagian(kind, b.id)),
          };
        }),
      };
    });
  const pasal = content.pasal.map((p, i) => {
    const nomor = nomorPasal(i);
    blank(`${nomor}, judul`, p.judul, p.judulEn, p.mengubah);
    return {
      id: p.id,
      nomor,
      judul: {
        name: fieldName.judul(p.id),
        value: p.judul,
        ...en(fieldName.judul(p.id, true), p.judulEn),
        ...err(fieldName.judul(p.id)),
      },
      ...(outline.adendum
        ? { mengubah: { name: fieldName.mengubah(p.id), value: p.mengubah ?? '', ...err(fieldName.mengubah(p.id)) } }
        : {}),
      ...(i > 0 ? { naik: opValue({ op: 'naik-pasal', pasal: p.id }) } : {}),
      ...(i < content.pasal.length - 1 ? { turun: opValue({ op: 'turun-pasal', pasal: p.id }) } : {}),
      hapus: opValue({ op: 'hapus-pasal', pasal: p.id }),
      tambahSetelah: opValue({ op: 'tambah-pasal', setelah: p.id }),
      tambahAyat: opValue({ op: 'tambah-ayat', pasal: p.id }),
      ayat: p.ayat.map((a, j) => {
        const label = p.ayat.length > 1 ? `Ayat (${j + 1})` : 'Isi pasal';
        blank(`${nomor} ${label.toLowerCase()}`, a.teks, a.en);
        return {
          id: a.id,
          label,
          name: fieldName.ayat(p.id, a.id),
          value: a.teks,
          ...en(fieldName.ayat(p.id, a.id, true), a.en),
          ...(j > 0 ? { naik: opValue({ op: 'naik-ayat', pasal: p.id, ayat: a.id }) } : {}),
          ...(j < p.ayat.length - 1 ? { turun: opValue({ op: 'turun-ayat', pasal: p.id, ayat: a.id }) } : {}),
          hapus: opValue({ op: 'hapus-ayat', pasal: p.id, ayat: a.id }),
          ...err(fieldName.ayat(p.id, a.id)),
        };
      }),
    };
  });
  return {
    jenis: content.jenis,
    namaJenis: outline.nama,
    versi,
    bilingual: outline.bilingual,
    adendum: outline.adendum,
    meterai: outline.meterai,
    order: [
      { name: ORDER.versi, value: String(versi) },
      { name: ORDER.jenis, value: content.jenis },
      { name: ORDER.pasal, value: content.pasal.map((p) => p.id).join(',') },
      ...content.pasal.map((p) => ({ name: ORDER.ayat(p.id), value: p.ayat.map((a) => a.id).join(',') })),
      ...bagian.map((b) => ({ name: ORDER.bagian(b.kind), value: content[b.kind].map((x) => x.id).join(',') })),
    ],
    tentang: {
      name: fieldName.tentang,
      value: content.tentang,
      ...en(fieldName.tentangEn, content.tentangEn),
      ...err(fieldName.tentang),
    },
    ...(content.induk
      ? {
          induk: (
            [
              ['nomor', 'Nomor naskah yang diubah'],
              ['tanggal', 'Tanggal naskah yang diubah'],
              ['tentang', 'Judul naskah yang diubah'],
            ] as const
          ).map(([k, label]) => ({
            name: fieldName.induk(k),
            label,
            value: content.induk![k],
            ...err(fieldName.induk(k)),
          })),
        }
      : {}),
    bagian,
    pasal,
    kosong,
  };
}
