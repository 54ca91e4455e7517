/**
 * Age rules shared by the server (sign-up decides `pending_guardian`) and the web form (which shows
 * the guardian fields as soon as the date of birth makes the person a minor). Dates are calendar
 * dates (YYYY-MM-DD) in Asia/Jakarta (WIB, UTC+7, no daylight saving).
 */
export const ADULT_AGE = 18;

/** Today's date in Jakarta as YYYY-MM-DD. */
export function jakartaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

/**
 * True when someone born on `dateOfBirth` (YYYY-MM-DD) is 18 or older on `today` (YYYY-MM-DD).
 * Someone born on 29 February turns 18 on 1 March in a common year (the string 'YYYY-02-29' sorts
 * after 'YYYY-02-28' and before 'YYYY-03-01').
 */
export function isAdult(dateOfBirth: string, today: string): boolean {
  return adultFrom(dateOfBirth) <= today;
}

/**
 * The day (YYYY-MM-DD) someone born on `dateOfBirth` turns 18, as a string that compares correctly
 * with `jakartaToday()` (for 29 February it is 'YYYY-02-29', which sorts between 28 Feb and 1 Mar).
 */
export function adultFrom(dateOfBirth: string): string {
  const [y, m, d] = dateOfBirth.split('-');
  return `${String(Number(y) + ADULT_AGE).padStart(4, '0')}-${m}-${d}`;
}

/** True for a well-formed date of birth that makes the person under 18 today (not for partial input). */
export function isMinor(dateOfBirth: string, today: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth) && dateOfBirth <= today && !isAdult(dateOfBirth, today);
}
