import { AppError } from '../../platform/http/app-error.js';
import { t } from '../../platform/i18n/i18n.js';
import type { FrameContext, RealtimeHub } from '../realtime/hub.js';
import type { ChatService } from './service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function problemFrame(context: FrameContext, error: unknown, extra: Record<string, unknown>): void {
  if (error instanceof AppError) {
    const params = error.extra.params as Record<string, unknown> | undefined;
    context.reply({
      type: 'chat.error',
      ...extra,
      code: error.code,
      status: error.status,
      detail: t(context.language, error.extra.messageKey ?? `errors.${error.code}`, params),
      ...(error.extra.fields
        ? { errors: error.extra.fields.map((f) => ({ field: f.field, code: f.code, message: t(context.language, f.messageKey ?? `validation.${f.code}`, f.params) })) }
        : {}),
    });
    return;
  }
  throw error;
}

/**
 * Chat over the live socket: `chat.message` events become the full message as the receiving
 * member may see it (read on the instance holding the socket), and inbound frames
 * `chat.send` {to, clientKey, body} → `chat.ack` {clientKey, message} | `chat.error`,
 * `chat.delivered` {messageIds} and `chat.read` {with} go to the same service as REST.
 */
export function registerChatLive(hub: RealtimeHub, chat: ChatService): void {
  hub.enrich('chat.message', async (memberId, event) => {
    const message = typeof event.messageId === 'string' ? await chat.liveMessage(memberId, event.messageId) : null;
    return message ? { type: 'chat.message', message } : null;
  });

  hub.onFrame('chat.send', async (context, frame) => {
    const clientKey = typeof frame.clientKey === 'string' ? frame.clientKey : '';
    try {
      if (typeof frame.to !== 'string' || !UUID.test(frame.to)) throw new AppError('not_found', 404, 'bad recipient');
      if (frame.body !== undefined && typeof frame.body !== 'string') throw new AppError('validation_failed', 400, 'bad body', { fields: [{ field: 'body', code: 'invalid' }] });
      const { message } = await chat.send(context.memberId, frame.to, { clientKey, body: frame.body });
      context.reply({ type: 'chat.ack', clientKey, message });
    } catch (error) {
      problemFrame(context, error, { clientKey });
    }
  });

  hub.onFrame('chat.delivered', async (context, frame) => {
    const ids = Array.isArray(frame.messageIds) ? frame.messageIds.filter((id): id is string => typeof id === 'string' && UUID.test(id)) : [];
    await chat.markDelivered(context.memberId, ids);
  });

  hub.onFrame('chat.read', async (context, frame) => {
    try {
      if (typeof frame.with !== 'string' || !UUID.test(frame.with)) throw new AppError('not_found', 404, 'bad partner');
      await chat.markRead(context.memberId, frame.with);
    } catch (error) {
      problemFrame(context, error, { with: frame.with });
    }
  });
}
