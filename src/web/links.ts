import type { Language } from '../common/i18n/index.js';

/**
 * The Privacy Policy is rendered by the server, not by this app: link to it with a plain
 * <a href> (a full page load), never a router Link.
 */
export function privacyPolicyHref(language: Language): string {
  return `/privacy?lang=${language}`;
}
