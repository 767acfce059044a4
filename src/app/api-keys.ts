// API keys are kept only as SHA-256 hashes: keys from GRIDOPS_API_KEYS are hashed at start and
// the plaintext dropped; GRIDOPS_API_KEYS_FILE holds "name:hex" lines made by `gridops keys hash`.
// A lookup by hash leaks nothing useful through timing: the attacker does not choose the hash.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gridError } from './errors.ts';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateKey(): string {
  return `gok_${randomBytes(24).toString('base64url')}`;
}

export class ApiKeys {
  private readonly hashes = new Map<string, string>();

  static fromConfig(plain: string, file: string): ApiKeys {
    const keys = new ApiKeys();
    plain
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '')
      .forEach((k, i) => keys.addHash(`env-${i + 1}`, hashKey(k)));
    if (file !== '') {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw gridError('SG_ERR_CONFIG_FILE', [file, (err as Error).message]);
      }
      text.split('\n').forEach((line, i) => {
        const trimmed = line.trim();
        if (trimmed === '' || trimmed.startsWith('#')) return;
        const [name, hex] = trimmed.split(':');
        if (!name || !hex || !/^[0-9a-f]{64}$/.test(hex)) {
          throw gridError('SG_ERR_CONFIG_INVALID', [
            `${file}:${i + 1}`,
            'expected "name:<64 hex chars of SHA-256>"',
          ]);
        }
        keys.addHash(name, hex);
      });
    }
    return keys;
  }

  addHash(name: string, hex: string): void {
    this.hashes.set(hex, name);
  }

  get size(): number {
    return this.hashes.size;
  }

  /** The key's name when `authorization` carries a known bearer key, else undefined. */
  verify(authorization: string | undefined): string | undefined {
    if (!authorization?.startsWith('Bearer ')) return undefined;
    return this.hashes.get(hashKey(authorization.slice(7).trim()));
  }
}
