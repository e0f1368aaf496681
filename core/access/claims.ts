import { ROLES, type Principal, type Role } from './access.ts';

/**
 * The user-pool attributes that make a console principal (custom attributes of the Cognito user pool, the same in
 * AWS and on cognito-local): the pemda, the unit, the roles (comma-separated) and the person in the pemda directory.
 */
export const IDENTITY_ATTRIBUTES = {
  pemda: 'custom:pemda',
  unit: 'custom:unit',
  peran: 'custom:peran',
  pegawai: 'custom:pegawai',
} as const;

/** What the rest of the directory tells about a claimed pemda and person (the catalog, passed in). */
export interface KnownIdentities {
  pemda(pemdaId: string): boolean;
  person(pemdaId: string, personId: string): boolean;
}

export type PrincipalFromClaims = { principal: Principal } | { refused: string };

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/**
 * The principal of a verified ID token's claims, or why the account cannot use the console (Bahasa Indonesia, for
 * the person signing in). Every role must be known and the pemda must exist: a typo in the pool refuses sign-in
 * instead of granting less, or more, than meant.
 */
export function principalFromClaims(claims: Record<string, unknown>, known: KnownIdentities): PrincipalFromClaims {
  const sub = text(claims.sub);
  const email = text(claims.email).toLowerCase();
  if (!sub || !email) return { refused: 'Akun Anda tidak memiliki alamat email. Hubungi administrator Sepakat.' };
  const pemdaId = text(claims[IDENTITY_ATTRIBUTES.pemda]);
  if (!pemdaId || !known.pemda(pemdaId))
    return {
      refused: 'Akun Anda belum terhubung ke pemerintah daerah yang dikenal Sepakat. Hubungi administrator Sepakat.',
    };
  const named = text(claims[IDENTITY_ATTRIBUTES.peran])
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = named.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (!named.length || unknown.length)
    return {
      refused: named.length
        ? `Peran akun Anda tidak dikenal (${unknown.join(', ')}). Hubungi administrator Sepakat.`
        : 'Akun Anda belum diberi peran. Hubungi administrator Sepakat.',
    };
  const unit = text(claims[IDENTITY_ATTRIBUTES.unit]);
  if (!unit) return { refused: 'Unit kerja akun Anda belum diisi. Hubungi administrator Sepakat.' };
  const personId = text(claims[IDENTITY_ATTRIBUTES.pegawai]);
  if (personId && !known.person(pemdaId, personId))
    return {
      refused: 'Akun Anda terhubung ke pegawai yang tidak ada di direktori pemda. Hubungi administrator Sepakat.',
    };
  return {
    principal: {
      sub,
      email,
      nama: text(claims.name) || email,
      roles: [...new Set(named)] as Role[],
      pemdaId,
      unit,
      ...(personId ? { personId } : {}),
    },
  };
}
