/**
 * Bounds on what whoever holds a task link can ask for, in time rather than per lifetime: a link holder can use up a
 * window, never lock the bound official out for the life of the link.
 *
 * Each bound is a fixed window that begins with the first request after the previous window ended: up to `max`
 * requests are granted in it; once it is full, the next request is granted when it ends (`windowMs` after its
 * start). The store decides each request with conditional writes on the task item (the window's start and its
 * count), so parallel requests never get more than `max` in a window.
 */
export interface WindowLimit {
  max: number;
  windowMs: number;
}

/** One-time codes of a link: at most 5 in 15 minutes. A fresh link starts with none. */
export const CODE_LIMIT: WindowLimit = { max: 5, windowMs: 15 * 60_000 };

/** Passphrases (or TOTPs) refused by BSrE for one signing task: at most 3 in an hour, then none is sent. */
export const TTE_CREDENTIAL_LIMIT: WindowLimit = { max: 3, windowMs: 60 * 60_000 };

/** Whether the task's refused credentials fill the current window (no sign request may be sent until it ends). */
export function credentialWindowFull(
  task: { tteRefused?: number; tteRefusedWindowStart?: string },
  now: Date,
): boolean {
  const start = task.tteRefusedWindowStart ? new Date(task.tteRefusedWindowStart).getTime() : Number.NaN;
  return (
    Number.isFinite(start) &&
    start + TTE_CREDENTIAL_LIMIT.windowMs > now.getTime() &&
    (task.tteRefused ?? 0) >= TTE_CREDENTIAL_LIMIT.max
  );
}

/** Fresh links of a task sent to its bound person (after expiry or when codes ran out): at most 3 in an hour. */
export const FRESH_LINK_LIMIT: WindowLimit = { max: 3, windowMs: 60 * 60_000 };

/**
 * What the store's conditional write compares against: the time of this request (the start of a new window) and the
 * time before which a window's start means that window is over.
 */
export interface WindowCheck {
  max: number;
  now: string;
  since: string;
}

export function windowCheck(limit: WindowLimit, now: Date): WindowCheck {
  return { max: limit.max, now: now.toISOString(), since: new Date(now.getTime() - limit.windowMs).toISOString() };
}

/**
 * When the next request is granted, given the start of the current window (as recorded on the task): the window's
 * end, or now when there is no current window.
 */
export function nextWindowAt(limit: WindowLimit, windowStart: string | undefined, now: Date): Date {
  const end = windowStart ? new Date(windowStart).getTime() + limit.windowMs : Number.NaN;
  return Number.isFinite(end) && end > now.getTime() ? new Date(end) : now;
}
