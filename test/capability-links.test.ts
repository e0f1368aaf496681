import { describe, expect, it } from 'vitest';
import {
  checkConfirmation,
  checkConfirmationFormToken,
  checkLink,
  checkReceiptKey,
  checkDownloadFormToken,
  checkWithdrawalToken,
  confirmationFormToken,
  confirmationToken,
  downloadFormToken,
  linkToken,
  monitoringItemId,
  otpHash,
  packageLinkToken,
  readConfirmationToken,
  readPackageLinkToken,
  readTrackingToken,
  receiptKey,
  recipientTag,
  subjectTag,
  taskIdFor,
  trackingToken,
  withdrawalToken,
} from '../core/case/capabilities.ts';

/**
 * The one module of capability links (core/case/capabilities.ts). Links already emailed must keep working, so every
 * format is pinned to the bytes the earlier modules (core/case/links.ts, core/case/tracking.ts and the monitoring
 * item id of core/agreement) produced for the same key and inputs.
 */
describe('capability links', () => {
  const key = Buffer.from('kunci-uji-tautan-sepakat-0123456789');
  const caseId = '20261123-abcdefghij';

  it('task links keep their format: taskId.version.personTag.mac', () => {
    const taskId = taskIdFor(key, caseId, 3);
    expect(taskId).toBe('JVeNJnbE3biCHBaNE7YoiW');
    const link = linkToken(key, taskId, 2, 'walikota');
    expect(link).toBe('JVeNJnbE3biCHBaNE7YoiW.2.A4SebxFT.Kf2zY0e_0C-84dqeRQEUZLtlA0b0HUrr');
    expect(checkLink(key, link, () => ({ version: 2, personId: 'walikota' }))).toEqual({
      ok: true,
      taskId,
      version: 2,
    });
    expect(checkLink(key, link, () => ({ version: 3, personId: 'walikota' }))).toMatchObject({ reason: 'diganti' });
    expect(checkLink(key, link, () => ({ version: 2, personId: 'sekda' }))).toMatchObject({ reason: 'orang-lain' });
    const altered = `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`;
    expect(checkLink(key, altered, () => ({ version: 2, personId: 'walikota' }))).toEqual({
      ok: false,
      reason: 'rusak',
    });
    expect(checkLink(Buffer.from('kunci-lain'), link, () => ({ version: 2, personId: 'walikota' }))).toEqual({
      ok: false,
      reason: 'rusak',
    });
  });

  it('monitoring links keep their item id and the task-link format', () => {
    const itemId = monitoringItemId(key, 'kota-contoh', '100/1/KB/2026', 'laporan', 2);
    expect(itemId).toBe('GfZEwWRwjz3LI4JV1GR1JX');
    const link = linkToken(key, itemId, 1, 'pelaksana:dinas@contoh.go.id');
    expect(checkLink(key, link, () => ({ version: 1, personId: 'pelaksana:dinas@contoh.go.id' }))).toEqual({
      ok: true,
      taskId: itemId,
      version: 1,
    });
  });

  it('one-time codes are stored as the same HMAC', () => {
    expect(otpHash(key, 'JVeNJnbE3biCHBaNE7YoiW', '123456')).toBe('RHVw5LdgfccZFMIHohlKWHlo05eyzu7eOeGSZE6p0W8');
  });

  it('tracking links keep their format: caseId.version.mac, read back only unaltered, under the same key', () => {
    const token = trackingToken(key, caseId, 4);
    expect(token).toBe('20261123-abcdefghij.4.2qzSDBmby9IESYPQxV7T69WbS8KFVlNQ');
    expect(readTrackingToken(key, token)).toEqual({ caseId, version: 4 });
    expect(readTrackingToken(key, token.replace('.4.', '.5.'))).toBeUndefined();
    expect(readTrackingToken(Buffer.from('kunci-lain'), token)).toBeUndefined();
  });

  it('receipt, confirmation, form and withdrawal tokens and limit tags keep their bytes', () => {
    expect(receiptKey(key, caseId)).toBe('ihj_nsZkDtP8IQadvD9hLHyoPM61tDQ3');
    expect(checkReceiptKey(key, caseId, 'ihj_nsZkDtP8IQadvD9hLHyoPM61tDQ3')).toBe(true);
    const confirmation = confirmationToken(key, caseId, 'Pemohon@Contoh.go.id');
    expect(confirmation).toBe('20261123-abcdefghij.UMAeYe_517V2chWAIwfhsWpjIG0ePA_i');
    expect(readConfirmationToken(confirmation)).toEqual({
      intakeId: caseId,
      given: 'UMAeYe_517V2chWAIwfhsWpjIG0ePA_i',
    });
    expect(checkConfirmation(key, confirmation, 'pemohon@contoh.go.id')).toBe(true);
    expect(checkConfirmation(key, confirmation, 'orang-lain@contoh.go.id')).toBe(false);
    expect(confirmationFormToken(key, confirmation)).toBe('FWFKqdML0T2TKxOc01_9CyR6M-VKiw2k');
    expect(checkConfirmationFormToken(key, confirmation, 'FWFKqdML0T2TKxOc01_9CyR6M-VKiw2k')).toBe(true);
    expect(subjectTag(key, 'sumber', '10.0.0.1')).toBe('-vnB85atscbcILN5IKjFs6-KcnWwSW-W');
    expect(subjectTag(key, 'email', 'Pemohon@Contoh.go.id')).toBe('4a01-h2M8TV4Lx8O16a9LppyYc-MBdQw');
    const tracking = trackingToken(key, caseId, 4);
    expect(withdrawalToken(key, tracking)).toBe('G9vPIvrj72I85hQVZ7UyiKbN9kXEVnlI');
    expect(checkWithdrawalToken(key, tracking, 'G9vPIvrj72I85hQVZ7UyiKbN9kXEVnlI')).toBe(true);
    expect(checkWithdrawalToken(key, tracking, 'G9vPIvrj72I85hQVZ7UyiKbN9kXEVnlJ')).toBe(false);
  });

  it('completion package links keep their format: caseId.recipientTag.expiry.mac, the expiry under the MAC', () => {
    const expires = new Date('2027-01-15T00:00:00Z');
    const link = packageLinkToken(key, caseId, 'Penghubung@Mitra.test', expires);
    expect(link).toBe('20261123-abcdefghij.lak-hp0DZ_O.trnmo0.qaNmTKZEDUJ-in_OQsgY8z7o38B-TzXQ');
    // The address is never in the link: only a short hash of it, the same whatever its case.
    expect(recipientTag('penghubung@mitra.test')).toBe('lak-hp0DZ_O');
    expect(readPackageLinkToken(key, link)).toEqual({ caseId, tag: 'lak-hp0DZ_O', expiresAt: expires });
    // A later expiry written in is refused: the MAC covers it.
    expect(readPackageLinkToken(key, link.replace('.trnmo0.', '.zzzzzz.'))).toBeUndefined();
    expect(readPackageLinkToken(Buffer.from('kunci-lain'), link)).toBeUndefined();
    expect(downloadFormToken(key, link)).toBe('2dcM54ZZxlCvUFMMoMLgYL6OMyhH5flV');
    expect(checkDownloadFormToken(key, link, '2dcM54ZZxlCvUFMMoMLgYL6OMyhH5flV')).toBe(true);
    expect(checkDownloadFormToken(key, `${link}x`, '2dcM54ZZxlCvUFMMoMLgYL6OMyhH5flV')).toBe(false);
  });
});
