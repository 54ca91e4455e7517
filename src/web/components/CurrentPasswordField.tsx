import type { RefObject } from 'react';

/**
 * "Enter your password again" before a sensitive act (export, reveal, deletion): label, hint, the
 * error announced to screen readers, and the input described by both. The caller focuses it through
 * `inputRef` when the password is refused.
 */
export function CurrentPasswordField(props: {
  id: string;
  label: string;
  hint: string;
  error: string | null | undefined;
  value: string;
  onChange: (value: string) => void;
  inputRef: RefObject<HTMLInputElement | null>;
}) {
  const { id, error } = props;
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      <p id={`${id}-hint`} className="field-hint">
        {props.hint}
      </p>
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
      <input
        ref={props.inputRef}
        id={id}
        name="password"
        type="password"
        autoComplete="current-password"
        value={props.value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </div>
  );
}
