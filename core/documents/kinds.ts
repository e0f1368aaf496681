/** How pages name the kinds of documents the product keeps (and `permohonan`: the pemohon's and decisions' files). */
export const DOCUMENT_KIND_LABEL: Readonly<Record<string, string>> = {
  'konsep-naskah': 'Konsep naskah',
  naskah: 'Naskah kerja sama',
  'naskah-untuk-ditandatangani': 'Naskah siap ditandatangani',
  'naskah-ditandatangani': 'Naskah bertanda tangan elektronik',
  'naskah-para-pihak': 'Naskah bertanda tangan para pihak',
  'arsip-pindai': 'Pindaian naskah bertanda tangan',
  'lembar-riwayat': 'Lembar Riwayat Penandatanganan',
  'surat-undangan': 'Surat Undangan Rapat',
  'surat-undangan-ditandatangani': 'Surat Undangan Rapat bertanda tangan elektronik',
  'surat-pengantar-ditandatangani': 'Surat Pengantar bertanda tangan elektronik',
  'nota-dinas-ditandatangani': 'Nota Dinas bertanda tangan elektronik',
  'nota-dinas': 'Nota Dinas',
  'surat-pengantar': 'Surat Pengantar',
  'telaahan-staf': 'Telaahan Staf',
  'notulen-rapat': 'Notulen Rapat',
  'lembar-disposisi': 'Lembar Disposisi',
  'laporan-pelaksanaan': 'Laporan Pelaksanaan Kerja Sama',
  permohonan: 'Berkas permohonan dan lampiran keputusan',
};

export const documentKindLabel = (kind: string) => DOCUMENT_KIND_LABEL[kind] ?? kind;
