import { parseTaskPage, samplePdf, samplePng, type Decision, type TaskForm } from '../cli/drive.ts';

/**
 * An official acting on one emailed link, request for request as cli/drive.ts's actOnLink (GET the page, ask a
 * presigned upload and PUT each file, ask a confirmation code when the page wants one, POST the form). The one
 * difference: the code is taken from `waitForCode` (the benchmark's incremental mailbox) instead of reading the
 * whole mailbox twice, which with thousands of stored messages would dominate the measurement.
 */
export async function actOnLinkIncremental(
  link: string,
  decide: (form: TaskForm) => Decision,
  waitForCode: () => Promise<string>,
): Promise<{ status: number; html: string; form?: TaskForm; requests: number }> {
  const url = new URL(link);
  const origin = url.origin;
  let requests = 1;
  const page = await fetch(link);
  const html = await page.text();
  if (page.status !== 200) return { status: page.status, html, requests };
  const form = parseTaskPage(html);
  const decision = decide(form);
  const body = new URLSearchParams({
    submissionId: form.submissionId,
    pilihan: decision.pilihan,
    catatan: decision.catatan ?? '',
  });
  for (const field of form.textFields) {
    const given = decision.values?.[field.name.slice(2)];
    body.set(field.name, given ?? sampleValue(field));
  }
  for (const slot of form.fileSlots) {
    const name = `${slot}.pdf`;
    const bytes = samplePdf(`${form.title} - ${slot}`);
    requests++;
    const res = await fetch(`${link}/unggah`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ slot, name, size: bytes.length }),
    });
    if (!res.ok) {
      await res.text();
      // The field may not accept PDF (an image scan): send a PNG instead.
      const png = samplePng();
      requests += 2;
      const again = await fetch(`${link}/unggah`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ slot, name: `${slot}.png`, size: png.length }),
      });
      if (!again.ok) throw new Error(`unggah ${slot}: ${again.status} ${await again.text()}`);
      const target = (await again.json()) as { url: string; key: string; contentType: string };
      const put = await fetch(target.url, {
        method: 'PUT',
        headers: { 'content-type': target.contentType },
        body: new Uint8Array(png),
      });
      await put.arrayBuffer();
      body.set(`unggah_${slot}`, target.key);
      body.set(`nama_${slot}`, `${slot}.png`);
      continue;
    }
    const target = (await res.json()) as { url: string; key: string; contentType: string };
    requests++;
    const put = await fetch(target.url, {
      method: 'PUT',
      headers: { 'content-type': target.contentType },
      body: new Uint8Array(bytes),
    });
    await put.arrayBuffer();
    if (!put.ok) throw new Error(`PUT ${slot}: ${put.status}`);
    body.set(`unggah_${slot}`, target.key);
    body.set(`nama_${slot}`, name);
  }
  if (form.needsCode) {
    requests++;
    const sent = await fetch(`${link}/kode`, { method: 'POST', headers: { origin } });
    await sent.arrayBuffer();
    if (!sent.ok) throw new Error(`kode: ${sent.status}`);
    body.set('kode', await waitForCode());
  }
  requests++;
  const post = await fetch(`${origin}${form.action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: body.toString(),
  });
  return { status: post.status, html: await post.text(), form, requests };
}

/** As cli/drive.ts fills a field it is not told a value for. */
function sampleValue(field: TaskForm['textFields'][number]): string {
  if (field.type === 'select') return field.options[0] ?? '';
  if (field.type === 'date') return '2026-12-01';
  if (field.type === 'datetime-local') return '2026-12-01T09:00';
  if (field.type === 'number') return '1';
  if (field.type === 'checkbox') return 'ya';
  if (field.name.includes('nomor')) return `000.5.4/${Math.floor(Math.random() * 900 + 100)}/409.1.1/2026`;
  return `Isian contoh untuk ${field.name.slice(2)}`;
}

/** The default script of cli/drive.ts's driveCase: the first forward choice the page offers. */
export const FORWARD_CHOICES = ['lanjut', 'ya', 'disepakati', 'setuju'];
export function defaultChoice(choices: readonly string[]): string {
  return choices.find((c) => FORWARD_CHOICES.includes(c)) ?? choices[0]!;
}
