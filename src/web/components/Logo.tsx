/** The Kenalan mark: two overlapping speech bubbles. Decorative; the brand name is text beside it. */
export function Logo() {
  return (
    <svg className="logo-mark" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">
      <rect x="2" y="4" width="20" height="16" rx="6" fill="currentColor" />
      <path d="M7 20l-2 6 7-6z" fill="currentColor" />
      <rect x="12" y="11" width="18" height="14" rx="6" className="logo-mark-accent" />
      <path d="M25 25l2 5-6-5z" className="logo-mark-accent" />
    </svg>
  );
}
