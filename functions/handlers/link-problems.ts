import { FRESH_LINK_LIMIT } from '../../core/case/link-limits.ts';
import type { LinkProblem } from '../../core/case/task-actions.ts';
import { MAX_LINK_RENEWALS } from '../../core/agreement/agreement-forms.ts';

/**
 * The one set of problem pages of capability links: what a task link (`/tugas/…`), a monitoring link (`/pantau/…`)
 * or a completion package's link (`/paket/…`, `packageLinkProblemPage`) answers when it cannot be used. One status and title per problem; the sentence names what the link
 * is for (an official's task, an agreement's report or monev).
 */
export type LinkKind = 'tugas' | 'pantau';
export type LinkProblemName = LinkProblem['problem'];

interface ProblemPage {
  status: number;
  judul: string | Record<LinkKind, string>;
  pesan: Record<LinkKind, string>;
}

const PAGES: Record<LinkProblemName, ProblemPage> = {
  rusak: {
    status: 404,
    judul: 'Tautan tidak valid',
    pesan: {
      tugas: 'Tautan ini tidak dikenal atau telah diubah. Gunakan tautan persis seperti di email Anda.',
      pantau: 'Tautan ini tidak dikenal atau telah diubah. Gunakan tautan persis seperti di email Anda.',
    },
  },
  'orang-lain': {
    status: 403,
    judul: { tugas: 'Tautan untuk pejabat lain', pantau: 'Tautan untuk orang lain' },
    pesan: {
      tugas: 'Tugas ini sekarang ditujukan kepada pejabat lain, sehingga tautan ini tidak berlaku untuk Anda.',
      pantau: 'Tautan ini ditujukan kepada orang lain, sehingga tidak berlaku untuk Anda.',
    },
  },
  diganti: {
    status: 410,
    judul: 'Tautan sudah diganti',
    pesan: {
      tugas: 'Tautan baru untuk tugas ini telah dikirim; tautan ini tidak berlaku lagi. Buka tautan di email terbaru.',
      pantau: 'Tautan baru telah dikirim; tautan ini tidak berlaku lagi. Buka tautan di email terbaru.',
    },
  },
  kedaluwarsa: {
    status: 410,
    judul: 'Tautan sudah kedaluwarsa',
    pesan: {
      tugas:
        'Masa berlaku tautan ini sudah habis. Anda dapat meminta tautan baru; tautan itu dikirim ke alamat email pejabat yang bertugas, bukan ke orang yang membuka halaman ini.',
      pantau:
        'Masa berlaku tautan ini sudah habis. Anda dapat meminta tautan baru; tautan itu dikirim ke alamat email yang dituju tautan ini, bukan ke orang yang membuka halaman ini.',
    },
  },
  'batas-tautan': {
    status: 429,
    judul: 'Batas tautan baru tercapai',
    pesan: {
      tugas: `Tautan baru untuk tugas ini sudah dikirim ${FRESH_LINK_LIMIT.max} kali dalam satu jam. Buka tautan di email terbaru Anda.`,
      pantau: `Tautan baru untuk kewajiban ini sudah diminta ${MAX_LINK_RENEWALS} kali. Hubungi Bagian yang membidangi kerja sama untuk menyampaikan laporan atau hasil monev.`,
    },
  },
  selesai: {
    status: 409,
    judul: { tugas: 'Tugas sudah diselesaikan', pantau: 'Sudah diterima' },
    pesan: {
      tugas: 'Keputusan untuk tugas ini sudah tercatat; tidak ada yang diubah.',
      pantau: 'Laporan atau hasil monev untuk tautan ini sudah diterima sebelumnya; tidak ada yang diubah.',
    },
  },
  ditutup: {
    status: 410,
    judul: { tugas: 'Kasus sudah ditutup', pantau: 'Kerja sama sudah ditutup' },
    pesan: {
      tugas: 'Kasus ini sudah berakhir atau dibatalkan; tugas ini tidak lagi memerlukan tindakan.',
      pantau: 'Kerja sama ini sudah berakhir atau dinyatakan batal; laporan tidak lagi diperlukan.',
    },
  },
};

/** The page of a link problem: its status, title and message for this kind of link. */
export function linkProblemPage(
  kind: LinkKind,
  problem: LinkProblemName,
): { status: number; judul: string; pesan: string } {
  const page = PAGES[problem];
  return {
    status: page.status,
    judul: typeof page.judul === 'string' ? page.judul : page.judul[kind],
    pesan: page.pesan[kind],
  };
}

/** What a completion package's link says of its problems (it is either malformed or expired, nothing else). */
const PACKAGE_MESSAGES: Record<'rusak' | 'kedaluwarsa', string> = {
  rusak: PAGES.rusak.pesan.tugas,
  kedaluwarsa:
    'Masa berlaku tautan unduhan ini sudah habis. Naskah bertanda tangan dan Lembar Riwayat Penandatanganan tetap tersimpan di arsip: mintalah salinannya kepada Bagian yang membidangi kerja sama (pemohon dapat mengunduhnya dari halaman perkembangan permohonan).',
};

/** The page of a completion package link's problem. */
export function packageLinkProblemPage(problem: 'rusak' | 'kedaluwarsa'): {
  status: number;
  judul: string;
  pesan: string;
} {
  const { status, judul } = linkProblemPage('tugas', problem);
  return { status, judul, pesan: PACKAGE_MESSAGES[problem] };
}
