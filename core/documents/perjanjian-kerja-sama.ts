import { z } from 'zod';
import {
  angkaKata,
  butirAngka,
  butirHuruf,
  footerDokumen,
  paragraf,
  paragrafList,
  tanggal,
  tanggalSurat,
  teks,
  TteSchema,
} from './common.ts';
import { kepalaNaskah, lower, parafBaris, type NaskahView } from './kesepakatan-bersama.ts';
import {
  JangkaWaktuSchema,
  jangkaWaktuTeks,
  PasalTambahanSchema,
  pasalAkhir,
  pasalList,
  PIHAK_LABEL,
  PihakSchema,
  pihakView,
} from './naskah.ts';

/**
 * Perjanjian Kerja Sama: as the Kesepakatan Bersama, plus the komparisi (who signs, in what capacity, on what
 * authority), the recitals and the legal basis including the Kesepakatan Bersama it implements, and Pasal hak dan
 * kewajiban, pembiayaan, monitoring/evaluasi/pelaporan, keadaan kahar, penyelesaian perselisihan and pengakhiran.
 */
const HakKewajiban = z.object({ hak: z.array(teks).min(1), kewajiban: z.array(teks).min(1) }).strict();

export const PerjanjianKerjaSamaSchema = z
  .object({
    tentang: teks,
    tempat: teks,
    tanggal,
    pihakKesatu: PihakSchema,
    pihakKedua: PihakSchema,
    /** "bahwa …" recitals, without the leading "bahwa". */
    pertimbangan: z.array(paragraf).default([]),
    /** The legal basis (laws), in order. */
    dasarHukum: z.array(teks).min(1, 'sebutkan dasar hukum'),
    /** The Kesepakatan Bersama this PKS implements. */
    kesepakatanBersama: z.object({ nomorKesatu: teks, nomorKedua: teks, tanggal, tentang: teks }).strict(),
    maksud: paragraf,
    tujuan: paragraf,
    ruangLingkup: z.array(teks).min(1),
    pelaksanaan: paragrafList,
    hakKewajiban: z.object({ pihakKesatu: HakKewajiban, pihakKedua: HakKewajiban }).strict(),
    pembiayaan: paragrafList,
    jangkaWaktu: JangkaWaktuSchema,
    monev: z.array(paragraf).min(1).optional(),
    keadaanKahar: z.array(paragraf).min(1).optional(),
    penyelesaianPerselisihan: z.array(paragraf).min(1).optional(),
    /** Grounds of termination; the standard list when absent. */
    pengakhiran: z.array(teks).min(1).optional(),
    pasalTambahan: z.array(PasalTambahanSchema).default([]),
    rangkap: z.number().int().min(1).max(10).default(2),
    meterai: z.boolean().default(true),
    tte: TteSchema.optional(),
  })
  .strict();
export type PerjanjianKerjaSamaInput = z.input<typeof PerjanjianKerjaSamaSchema>;
export type PerjanjianKerjaSama = z.infer<typeof PerjanjianKerjaSamaSchema>;

const JENIS = 'Perjanjian Kerja Sama';

export const PENGAKHIRAN_STANDAR = [
  'jangka waktu Perjanjian Kerja Sama berakhir',
  'PARA PIHAK sepakat mengakhiri Perjanjian Kerja Sama',
  'tujuan Perjanjian Kerja Sama telah tercapai',
  'terjadi keadaan kahar sebagaimana dimaksud dalam Pasal tentang Keadaan Kahar yang mengakibatkan Perjanjian Kerja Sama tidak dapat dilaksanakan',
  'Perjanjian Kerja Sama bertentangan dengan ketentuan peraturan perundang-undangan',
];

export function preparePerjanjianKerjaSama(d: PerjanjianKerjaSama): NaskahView {
  const kesatu = pihakView(d.pihakKesatu, 0, d.tte, true);
  // The QR code sits in the block of PIHAK KESATU, whose signature this product applies; the partner signs its own way.
  const kedua = pihakView(d.pihakKedua, 1, undefined, true);
  const hk = (i: 0 | 1, h: z.infer<typeof HakKewajiban>) => [
    { teks: `Hak ${PIHAK_LABEL[i]}:`, butir: h.hak },
    { teks: `Kewajiban ${PIHAK_LABEL[i]}:`, butir: h.kewajiban },
  ];
  const kb = d.kesepakatanBersama;
  const pasal = pasalList([
    {
      judul: 'Maksud dan Tujuan',
      ayat: [`Maksud ${JENIS} ini adalah ${lower(d.maksud)}`, `Tujuan ${JENIS} ini adalah ${lower(d.tujuan)}`],
    },
    { judul: 'Ruang Lingkup', ayat: [{ teks: `Ruang lingkup ${JENIS} ini meliputi:`, butir: d.ruangLingkup }] },
    { judul: 'Pelaksanaan', ayat: d.pelaksanaan },
    { judul: 'Hak dan Kewajiban', ayat: [...hk(0, d.hakKewajiban.pihakKesatu), ...hk(1, d.hakKewajiban.pihakKedua)] },
    { judul: 'Pembiayaan', ayat: d.pembiayaan },
    { judul: 'Jangka Waktu', ayat: jangkaWaktuTeks(JENIS, d.jangkaWaktu) },
    {
      judul: 'Monitoring, Evaluasi dan Pelaporan',
      ayat: d.monev ?? [
        `PARA PIHAK melakukan monitoring dan evaluasi atas pelaksanaan ${JENIS} ini paling sedikit ${angkaKata(1)} kali dalam ${angkaKata(6)} bulan.`,
        `PARA PIHAK menyampaikan laporan pelaksanaan ${JENIS} ini kepada kepala daerah/pimpinan masing-masing paling sedikit ${angkaKata(1)} kali dalam ${angkaKata(3)} bulan.`,
        `Hasil monitoring dan evaluasi menjadi dasar rekomendasi untuk melanjutkan, memperluas, atau menghentikan kerja sama.`,
      ],
    },
    {
      judul: 'Keadaan Kahar',
      ayat: d.keadaanKahar ?? [
        `Keadaan kahar adalah keadaan di luar kemampuan PARA PIHAK yang mengakibatkan ${JENIS} ini tidak dapat dilaksanakan, antara lain bencana alam, kebakaran, wabah penyakit, huru-hara, perang, serta kebijakan Pemerintah di bidang moneter atau keamanan.`,
        `PIHAK yang mengalami keadaan kahar memberitahukan secara tertulis kepada PIHAK lainnya paling lambat ${angkaKata(14)} hari kalender sejak terjadinya keadaan kahar.`,
        `Kerugian yang timbul akibat keadaan kahar tidak menjadi tanggung jawab PARA PIHAK.`,
      ],
    },
    {
      judul: 'Penyelesaian Perselisihan',
      ayat: d.penyelesaianPerselisihan ?? [
        `Apabila terjadi perselisihan dalam pelaksanaan ${JENIS} ini, PARA PIHAK menyelesaikannya secara musyawarah untuk mufakat.`,
        `Apabila musyawarah sebagaimana dimaksud pada ayat (1) tidak mencapai mufakat, perselisihan diselesaikan sesuai dengan ketentuan peraturan perundang-undangan.`,
      ],
    },
    {
      judul: 'Pengakhiran',
      ayat: [{ teks: `${JENIS} ini berakhir apabila:`, butir: d.pengakhiran ?? PENGAKHIRAN_STANDAR }],
    },
    ...pasalAkhir(JENIS, d),
  ]);
  const dasar = [
    ...d.dasarHukum,
    `Kesepakatan Bersama antara ${d.pihakKesatu.instansi} dengan ${d.pihakKedua.instansi} Nomor ${kb.nomorKesatu} dan Nomor ${kb.nomorKedua} tanggal ${tanggalSurat(kb.tanggal)} tentang ${kb.tentang}.`,
  ];
  return {
    ...kepalaNaskah(JENIS, d, [kesatu, kedua], true),
    paraPihak:
      'PIHAK KESATU dan PIHAK KEDUA secara bersama-sama disebut PARA PIHAK dan secara sendiri-sendiri disebut PIHAK. PARA PIHAK terlebih dahulu menerangkan hal-hal sebagai berikut:',
    pertimbangan: butirHuruf(d.pertimbangan.map((p) => `bahwa ${lower(p)}`)),
    dasar: butirAngka(dasar),
    kesepakatan: `Berdasarkan hal-hal tersebut di atas, PARA PIHAK sepakat untuk mengadakan ${JENIS} tentang ${d.tentang}, dengan ketentuan sebagai berikut:`,
    pasal: pasal.slice(0, -1),
    penutup: pasal[pasal.length - 1]!,
    meterai: d.meterai,
    adaParaf: kesatu.paraf.length + kedua.paraf.length > 0,
    parafBaris: parafBaris(kesatu, kedua),
    lampiran: null,
    footer: footerDokumen(d, true),
  };
}
