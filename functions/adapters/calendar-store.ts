import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CalendarYear } from '../../core/calendar/calendar-schema.ts';
import type { CalendarYearStore } from '../../core/calendar/calendar-import.ts';
import { parseCalendarYear } from '../../core/calendar/work-calendar.ts';

/** Where imported years live in the documents bucket: `kalender/<year>.json`, the format of config/calendar. */
export const CALENDAR_PREFIX = 'kalender/';

/**
 * The imported holiday years as one S3 object per year in the documents bucket: the same durable place in AWS and
 * on the embedded default (s3rver keeps it in the data directory), read by every process of the product.
 */
export class S3CalendarYearStore implements CalendarYearStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async list(): Promise<CalendarYear[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: CALENDAR_PREFIX, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key && /^kalender\/\d{4}\.json$/.test(o.Key)) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return Promise.all(
      keys.sort().map(async (key) => {
        const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        const text = (await object.Body?.transformToString('utf8')) ?? '';
        return parseCalendarYear(JSON.parse(text), `s3://${this.bucket}/${key}`);
      }),
    );
  }

  async put(year: CalendarYear): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${CALENDAR_PREFIX}${year.year}.json`,
        Body: `${JSON.stringify(year, null, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
  }
}
