import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { RENDER_SCRATCH_PREFIX } from '../../functions/render/lambda-renderer.ts';
import type { LocalRuntime } from '../../local/runtime.ts';

/** The keys under the render function's scratch prefix of the documents bucket, sorted. */
export async function scratchKeys(rt: Pick<LocalRuntime, 'app'>): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await rt.app.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: rt.app.config.SEPAKAT_BUCKET_DOCUMENTS,
        Prefix: RENDER_SCRATCH_PREFIX,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}
