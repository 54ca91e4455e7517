import baseEn from './en.json' with { type: 'json' };
import baseId from './id.json' with { type: 'json' };
import erasureId from './modules/erasure.id.json' with { type: 'json' };
import erasureEn from './modules/erasure.en.json' with { type: 'json' };
import policyChangesId from './modules/policyChanges.id.json' with { type: 'json' };
import policyChangesEn from './modules/policyChanges.en.json' with { type: 'json' };
import rightsId from './modules/rights.id.json' with { type: 'json' };
import rightsEn from './modules/rights.en.json' with { type: 'json' };
import faceId from './modules/face.id.json' with { type: 'json' };
import faceEn from './modules/face.en.json' with { type: 'json' };
import profilesId from './modules/profiles.id.json' with { type: 'json' };
import profilesEn from './modules/profiles.en.json' with { type: 'json' };
import connectionsId from './modules/connections.id.json' with { type: 'json' };
import connectionsEn from './modules/connections.en.json' with { type: 'json' };
import chatId from './modules/chat.id.json' with { type: 'json' };
import chatEn from './modules/chat.en.json' with { type: 'json' };
import postsId from './modules/posts.id.json' with { type: 'json' };
import postsEn from './modules/posts.en.json' with { type: 'json' };
import memberNavId from './modules/memberNav.id.json' with { type: 'json' };
import memberNavEn from './modules/memberNav.en.json' with { type: 'json' };
import moderationId from './modules/moderation.id.json' with { type: 'json' };
import moderationEn from './modules/moderation.en.json' with { type: 'json' };

export const LANGUAGES = ['id', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'id';

/**
 * Texts live in the base files plus one pair per module (modules/<name>.{id,en}.json), so modules
 * built side by side never edit the same file. Each module file owns its own top-level keys.
 */
export const texts = {
  id: { ...baseId, ...erasureId, ...policyChangesId, ...rightsId, ...faceId, ...profilesId, ...connectionsId, ...chatId, ...postsId, ...memberNavId, ...moderationId },
  en: { ...baseEn, ...erasureEn, ...policyChangesEn, ...rightsEn, ...faceEn, ...profilesEn, ...connectionsEn, ...chatEn, ...postsEn, ...memberNavEn, ...moderationEn },
} as const;

export const resources = { id: { translation: texts.id }, en: { translation: texts.en } } as const;

export function isLanguage(value: unknown): value is Language {
  return value === 'id' || value === 'en';
}

/** Reads a language tag such as "id-ID", "in" or "en-GB" as one of our languages. */
export function languageFromTag(tag: string | null | undefined): Language | undefined {
  if (!tag) return undefined;
  const base = tag.trim().toLowerCase().split(/[-_]/)[0];
  // "in" is the pre-1989 code for Indonesian that some Android versions still send.
  const normalized = base === 'in' ? 'id' : base;
  return isLanguage(normalized) ? normalized : undefined;
}

/** Picks the first supported language from an Accept-Language header, honouring q-values. */
export function languageFromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return { tag, quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const entry of ranked) {
    const language = languageFromTag(entry.tag);
    if (language) return language;
  }
  return undefined;
}
