import crypto from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software WebAuthn authenticator (ES256, "none" attestation) for API tests: it builds the
 * same JSON a browser's navigator.credentials.create()/get() would hand to @simplewebauthn/browser,
 * signing with a P-256 key made by node:crypto. It holds discoverable credentials like a phone.
 */
export interface SoftCredential {
  id: string;
  privateKey: crypto.KeyObject;
  userHandle: string;
  counter: number;
}

const sha256 = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest();
const b64url = (data: Buffer | Uint8Array) => Buffer.from(data).toString('base64url');

function authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
}

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(
    readonly origin: string,
    readonly options: { userVerification?: boolean } = {},
  ) {}

  get rpId(): string {
    return new URL(this.origin).hostname;
  }

  /** navigator.credentials.create() for the server's registration options. */
  create(options: { challenge: string; rp: { id?: string }; user: { id: string } }, origin = this.origin) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
    const credentialId = crypto.randomBytes(16);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, credentialId, Buffer.from(cose)]);
    const flags = UP | (this.options.userVerification === false ? 0 : UV) | AT;
    const data = authData(options.rp.id ?? this.rpId, flags, 0, attested);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(data)]]) as never);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }));
    const credential: SoftCredential = { id: b64url(credentialId), privateKey, userHandle: options.user.id, counter: 0 };
    this.credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      clientExtensionResults: {},
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal' as const] },
    };
  }

  /** navigator.credentials.get(): signs the challenge with the given (or the first allowed / first held) credential. */
  get(
    options: { challenge: string; rpId?: string; allowCredentials?: { id: string }[] },
    use?: { credential?: SoftCredential; origin?: string; userVerification?: boolean },
  ) {
    const allowed = options.allowCredentials?.length ? this.credentials.filter((c) => options.allowCredentials!.some((a) => a.id === c.id)) : this.credentials;
    const credential = use?.credential ?? allowed[0];
    if (!credential) throw new Error('no credential for this request');
    credential.counter += 1;
    const flags = UP | ((use?.userVerification ?? this.options.userVerification) === false ? 0 : UV);
    const data = authData(options.rpId ?? this.rpId, flags, credential.counter);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: use?.origin ?? this.origin, crossOrigin: false }));
    const signature = crypto.sign('sha256', Buffer.concat([data, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      clientExtensionResults: {},
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(data), signature: b64url(signature), userHandle: credential.userHandle },
    };
  }
}
