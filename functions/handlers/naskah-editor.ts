import type { CurrentNaskah } from '../../core/naskah/drafts.ts';
import { editorView } from '../../core/naskah/form.ts';
import type { NaskahContent } from '../../core/naskah/content.ts';
import type { Outline } from '../../core/naskah/outline.ts';
import type { NaskahVersion } from '../../core/naskah/versions.ts';

/**
 * The pasal editor's part of a drafting step's task page: what it shows (the content being edited, from the
 * form as posted, an operation's result or the latest version), the version it was edited from, and the notices
 * (saved, stale). The page draws it inside the task form, so the decision carries the content it was made on.
 */
export interface EditorState {
  content: NaskahContent;
  base: number;
  notice?: string;
  /** Someone saved a version after this form's base: the latest is shown, the typed content kept beside it. */
  basi?: { current: NaskahVersion; mine: NaskahContent };
}

export function naskahEditorModel(
  current: CurrentNaskah,
  outline: Outline,
  state: EditorState | undefined,
  errors: Readonly<Record<string, string>>,
  fmt: (iso: string) => string,
  urls: { edit: string; preview: string },
) {
  const content = state?.basi ? state.basi.current.content : (state?.content ?? current.content);
  const base = state?.basi ? state.basi.current.versi : (state?.base ?? current.versi);
  const view = editorView(content, outline, base, state?.basi ? {} : errors);
  return {
    ...view,
    editUrl: urls.edit,
    previewUrl: urls.preview,
    versiLabel:
      base === 0
        ? 'belum disimpan: kerangka baku yang diisi data permohonan'
        : `versi ${base}${current.version && current.versi === base ? `, disimpan oleh ${current.version.by.nama}, ${fmt(current.version.at)}` : ''}`,
    ...(state?.notice ? { notice: state.notice } : {}),
    ...(state?.basi
      ? {
          basi: {
            oleh: state.basi.current.by.nama,
            versi: state.basi.current.versi,
            waktu: fmt(state.basi.current.at),
            // What the official had typed, kept so nothing is lost: shown pasal by pasal to apply again.
            milikAnda: state.basi.mine.pasal.map((p, i) => ({
              nomor: `Pasal ${i + 1}`,
              judul: p.judul,
              ayat: p.ayat.map((a) => a.teks),
            })),
          },
        }
      : {}),
  };
}
