import { join } from 'node:path';
import { actOnLink, type Decision, type TaskForm } from '../cli/drive.ts';
import { developmentPassphrase } from '../local/bsre/development-users.ts';

/**
 * An official acting on one emailed link: cli/drive.ts's actOnLink, with the confirmation code taken from
 * `waitForCode` (the benchmark's incremental mailbox) instead of reading the whole mailbox, which with thousands of
 * stored messages would dominate the measurement. A signing task through the local BSrE service gets the official's
 * development passphrase from the data directory, as actOnLink derives it when it reads the mailbox itself.
 */
export function actOnLinkIncremental(
  link: string,
  decide: (form: TaskForm) => Decision,
  waitForCode: () => Promise<string>,
  dataDir: string,
): Promise<{ status: number; html: string; form?: TaskForm; requests: number }> {
  return actOnLink(
    link,
    (form) => {
      const decision = decide(form);
      return form.passphraseFor && decision.passphrase === undefined
        ? { ...decision, passphrase: developmentPassphrase(join(dataDir, 'bsre'), form.passphraseFor) }
        : decision;
    },
    { readCode: waitForCode },
  );
}

/** The default script of cli/drive.ts's driveCase: the first forward choice the page offers. */
export const FORWARD_CHOICES = ['lanjut', 'ya', 'disepakati', 'setuju'];
export function defaultChoice(choices: readonly string[]): string {
  return choices.find((c) => FORWARD_CHOICES.includes(c)) ?? choices[0]!;
}
