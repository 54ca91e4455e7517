/**
 * How a value is normalized before its blind index is computed. The service that writes the
 * index and key rotation (which recomputes it) must agree, so both read it from here.
 */
export const NORMALIZERS = {
  email: (value: string) => value.trim().toLowerCase(),
  exact: (value: string) => value,
} as const;
export type NormalizerName = keyof typeof NORMALIZERS;
