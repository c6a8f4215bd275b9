import type { Logger } from '../core/index.js';
import type { Store } from '../store/index.js';

/**
 * Warns at start when provider API keys are not stored under the current ENCRYPTION_KEY: how many projects
 * hold plaintext keys, keys of a previous key or keys no configured key opens, and the command that fixes it.
 * Only counts are logged, never a key.
 */
export async function checkSecretsAtRest(
  store: Pick<Store, 'secrets'>,
  logger: Logger,
  encryptionEnabled: boolean,
): Promise<void> {
  const counts = await store.secrets.keyCounts();
  if (counts.plaintextKeys > 0) {
    const fix = encryptionEnabled
      ? 'run `llm-proxy migrate encrypt` to encrypt them'
      : 'set ENCRYPTION_KEY (`llm-proxy setup` generates one), then run `llm-proxy migrate encrypt`';
    logger.warn(
      { projects: counts.plaintextKeys },
      `${counts.plaintextKeys} project(s) store their provider API key unencrypted; ${fix}`,
    );
  }
  if (counts.previousKeys > 0) {
    logger.warn(
      { projects: counts.previousKeys },
      `${counts.previousKeys} project(s) hold an API key encrypted with a key of ENCRYPTION_KEYS_PREVIOUS; run \`llm-proxy migrate encrypt\` to re-encrypt them with ENCRYPTION_KEY`,
    );
  }
  if (counts.unreadableKeys > 0) {
    logger.error(
      { projects: counts.unreadableKeys },
      `${counts.unreadableKeys} project(s) hold an API key that neither ENCRYPTION_KEY nor ENCRYPTION_KEYS_PREVIOUS decrypts; their requests will fail until the right key is configured`,
    );
  }
}
