import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { fetchFeed, type Post } from '../posts/api.js';
import { Composer } from '../posts/Composer.js';
import { PostCard } from '../posts/PostCard.js';
import '../posts/posts.css';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

/** `/feed`: compose an update and read connections' updates, public updates and my own. */
export function Feed() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const { hash } = useLocation();
  useDocumentTitle(t('posts.web.feedTitle'));
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [status, setStatus] = useState<string | null>(null);

  const load = useCallback(
    async (cursor: string | null) => {
      const outcome = await fetchFeed(cursor, { language });
      if (outcome.kind === 'ok') {
        setPosts((current) => (cursor && current ? [...current, ...outcome.value.posts] : outcome.value.posts));
        setNext(outcome.value.next);
        setFailed(false);
      } else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
      else setFailed(true);
    },
    [language, navigate],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  useEffect(() => {
    if (hash && posts) document.getElementById(hash.slice(1))?.scrollIntoView();
  }, [hash, posts]);

  return (
    <div className="feed narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('posts.web.feedTitle')}</h1>
        <p className="tagline">{t('posts.web.feedIntro')}</p>
      </header>
      <Composer onPosted={(post) => setPosts((current) => [post, ...(current ?? [])])} />
      <p className="visually-hidden" role="status">
        {status}
      </p>
      {failed && (
        <div className="error-summary" role="alert">
          <p>{t('posts.web.error')}</p>
        </div>
      )}
      {posts === null && !failed && <p>{t('posts.web.loading')}</p>}
      {posts && posts.length === 0 && <p>{t('posts.web.empty')}</p>}
      {posts && posts.length > 0 && (
        <ul className="post-list">
          {posts.map((post) => (
            <li key={post.id}>
              <PostCard
                post={post}
                onDeleted={(id) => {
                  setPosts((current) => (current ?? []).filter((p) => p.id !== id));
                  setStatus(t('posts.web.deleted'));
                }}
              />
            </li>
          ))}
        </ul>
      )}
      {next && (
        <div className="form-actions">
          <button type="button" className="button button-secondary" onClick={() => void load(next)}>
            {t('posts.web.loadMore')}
          </button>
        </div>
      )}
    </div>
  );
}
