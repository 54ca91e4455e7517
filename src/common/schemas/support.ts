import { Type, type Static } from '@sinclair/typebox';
import '../formats.js';

/** Shared by the server route (validation + OpenAPI) and the web form (client-side checks). */
/**
 * `account_compromised` is also a topic: the web form then asks for the account instead and sends
 * a confirmation link to its verified email (recovery module); the confirmed report files a ticket
 * with this topic.
 */
export const SUPPORT_TOPICS = ['account', 'privacy', 'safety', 'payment', 'other', 'account_compromised'] as const;
export type SupportTopic = (typeof SUPPORT_TOPICS)[number];

export const SUPPORT_LIMITS = { name: 100, email: 254, message: 5000, messageMin: 10 } as const;

export const supportTicketRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: SUPPORT_LIMITS.name, pattern: '\\S' }),
    email: Type.String({ minLength: 1, maxLength: SUPPORT_LIMITS.email, format: 'email' }),
    topic: Type.Union(SUPPORT_TOPICS.map((topic) => Type.Literal(topic))),
    message: Type.String({ minLength: SUPPORT_LIMITS.messageMin, maxLength: SUPPORT_LIMITS.message }),
    language: Type.Optional(Type.Union([Type.Literal('id'), Type.Literal('en')])),
  },
  { additionalProperties: false },
);
export type SupportTicketRequest = Static<typeof supportTicketRequest>;

export const supportTicketResponse = Type.Object({
  number: Type.String(),
  topic: Type.String(),
  language: Type.Union([Type.Literal('id'), Type.Literal('en')]),
  createdAt: Type.String({ format: 'date-time' }),
  dueAt: Type.String({ format: 'date-time' }),
});
export type SupportTicketResponse = Static<typeof supportTicketResponse>;

export const csrfTokenResponse = Type.Object({ token: Type.String() });
