/**
 * Document work moved to core/documents/document-actions.ts (the decisions: which document, which number, which
 * version is initialled or signed) behind the `Renderer` and `Signer` ports (functions/render/, and
 * functions/signing/pades-signer.ts). Kept so that its importers compile unchanged.
 */
export {
  DocumentActions as DocumentWorker,
  nomorKey,
  ORIGINAL_KEY,
  SIGNED_NASKAH_KEY,
  type DocumentWorkDeps,
} from '../../core/documents/document-actions.ts';
