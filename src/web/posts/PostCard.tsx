import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../locale.js';
import { useLanguage } from '../useLanguage.js';
import { addComment, deleteComment, deletePost, fetchComments, MAX_COMMENT, toggleLike, type Comment, type Post } from './api.js';

/** One update: byline, audience, text, photos, likes and comments; the author may delete it. */
export function PostCard({ post, onDeleted }: { post: Post; onDeleted: (id: string) => void }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const id = useId();
  const [liked, setLiked] = useState(post.likedByMe);
  const [likes, setLikes] = useState(post.likeCount);
  const [commentCount, setCommentCount] = useState(post.commentCount);
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const name = post.mine ? t('posts.web.you') : post.author.nickname;

  async function like() {
    const outcome = await toggleLike(post.id, { language });
    if (outcome.kind === 'ok') {
      setLiked(outcome.value.liked);
      setLikes(outcome.value.likeCount);
    } else setError(outcome.kind === 'problem' ? (outcome.detail ?? t('posts.web.error')) : t('posts.web.error'));
  }

  async function loadComments() {
    const outcome = await fetchComments(post.id, { language });
    if (outcome.kind === 'ok') setComments(outcome.value.comments);
    else setError(t('posts.web.error'));
  }

  async function toggleComments() {
    const next = !open;
    setOpen(next);
    if (next && comments === null) await loadComments();
  }

  async function submitComment(event: FormEvent) {
    event.preventDefault();
    if (!draft.trim()) return;
    const outcome = await addComment(post.id, draft, { language });
    if (outcome.kind === 'ok') {
      setComments((current) => [...(current ?? []), outcome.value]);
      setCommentCount((n) => n + 1);
      setDraft('');
      setError(null);
    } else setError(outcome.kind === 'problem' ? (outcome.fields.text ?? outcome.detail ?? t('posts.web.error')) : t('posts.web.error'));
  }

  async function removeComment(commentId: string) {
    const outcome = await deleteComment(post.id, commentId, { language });
    if (outcome.kind === 'ok') {
      setComments((current) => (current ?? []).filter((c) => c.id !== commentId));
      setCommentCount((n) => Math.max(0, n - 1));
    } else setError(t('posts.web.error'));
  }

  async function remove() {
    if (!window.confirm(t('posts.web.confirmDelete'))) return;
    const outcome = await deletePost(post.id, { language });
    if (outcome.kind === 'ok') onDeleted(post.id);
    else setError(t('posts.web.error'));
  }

  return (
    <article className="post-card" id={`post-${post.id}`} aria-labelledby={`${id}-by`}>
      <header className="post-head">
        <p className="post-by" id={`${id}-by`}>
          {post.mine ? name : t('posts.web.byline', { name, username: post.author.username })}
        </p>
        <p className="post-meta">
          <time dateTime={post.createdAt}>{formatDateTime(post.createdAt, language)}</time>
          <span className="post-audience">{t('posts.web.audienceBadge', { audience: t(`posts.web.audience.${post.audience}`) })}</span>
        </p>
      </header>
      {post.text && <p className="post-text">{post.text}</p>}
      {post.photos.length > 0 && (
        <div className={`post-photos count-${post.photos.length}`}>
          {post.photos.map((p, i) => (
            <img key={p.id} src={p.url} width={p.width} height={p.height} loading="lazy" alt={t('posts.web.photoAlt', { n: i + 1, name })} />
          ))}
        </div>
      )}
      {post.mine && post.postedFromCountry && <p className="post-cross-border">{t('posts.web.crossBorder', { country: post.postedFromCountry })}</p>}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="post-actions">
        <button type="button" className={liked ? 'button button-small' : 'button button-secondary button-small'} aria-pressed={liked} onClick={() => void like()}>
          {t('posts.web.like')} · {t('posts.web.likes', { count: likes })}
        </button>
        <button type="button" className="button button-secondary button-small" aria-expanded={open} aria-controls={`${id}-comments`} onClick={() => void toggleComments()}>
          {t('posts.web.comments', { count: commentCount })}
        </button>
        {post.mine && (
          <button type="button" className="link-button post-delete" onClick={() => void remove()}>
            {t('posts.web.deletePost')}
          </button>
        )}
      </div>
      <section className="post-comments" id={`${id}-comments`} hidden={!open}>
        {open && comments === null && <p>{t('posts.web.loading')}</p>}
        {comments && comments.length > 0 && (
          <ul className="comment-list">
            {comments.map((c) => (
              <li key={c.id} className="comment">
                <p className="comment-by">
                  <strong>{c.author ? c.author.nickname : t('posts.notifications.formerMember')}</strong>
                  {c.author && <span className="comment-username"> @{c.author.username}</span>} ·{' '}
                  <time dateTime={c.createdAt}>{formatDateTime(c.createdAt, language)}</time>
                </p>
                <p className="comment-text">{c.text}</p>
                {c.canDelete && (
                  <button type="button" className="link-button" onClick={() => void removeComment(c.id)}>
                    {t('posts.web.deleteComment')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        <form className="comment-form" onSubmit={submitComment}>
          <label htmlFor={`${id}-comment`} className="visually-hidden">
            {t('posts.web.commentLabel')}
          </label>
          <input id={`${id}-comment`} type="text" maxLength={MAX_COMMENT} value={draft} placeholder={t('posts.web.commentLabel')} onChange={(e) => setDraft(e.target.value)} />
          <button type="submit" className="button button-small">
            {t('posts.web.commentSubmit')}
          </button>
        </form>
      </section>
    </article>
  );
}
