import type { DirectoryData } from '../directory/directory.ts';
import type { Renderer } from '../ports.ts';
import type { Paper } from './common.ts';
import type { SopDefinition } from '../sop/schema.ts';
import type { SopDocumentInput } from './sop.ts';

/**
 * The SOP AP document of one SOP version as the product prints it: the same input for the console's PDF, the CLI
 * (`sop dokumen`) and the previews, on the paper the SOP's pemda prints (`dokumen.kertas`), under its address.
 * Rendered on request and never stored: reading it changes nothing.
 */
export interface SopDocumentDeps {
  /** The directory of a pemda (its paper and address). */
  directory(pemdaId: string): DirectoryData;
  renderer(): Pick<Renderer, 'render'>;
}

export function sopDocumentInput(def: SopDefinition, directory: DirectoryData): SopDocumentInput {
  const alamat = directory.pemda.alamat;
  return { sop: def, ...(alamat ? { alamat } : {}) };
}

export async function printSopDocument(
  deps: SopDocumentDeps,
  def: SopDefinition,
): Promise<{ pdf: Uint8Array; paper: Paper; pages: number }> {
  const directory = deps.directory(def.pemda);
  const paper = directory.pemda.dokumen.kertas;
  const rendered = await deps.renderer().render('sop', sopDocumentInput(def, directory), { paper });
  return { pdf: rendered.pdf, paper, pages: rendered.pages };
}
