import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PORT,
  extensionPort,
  extensionToken,
  PORT_VARIABLE,
  TOKEN_VARIABLES,
} from '../../../client/src/environment.js';
import { DEFAULTS, ENV, loadConfig } from '../../../extension/src/config.js';

describe('the client reads the environment as the extension does', () => {
  it('names the same variables and default port as the extension', () => {
    expect(PORT_VARIABLE).toBe(ENV.port);
    expect(DEFAULT_PORT).toBe(DEFAULTS.port);
    expect([...TOKEN_VARIABLES].sort()).toEqual([ENV.token, ENV.sessionToken, ENV.containerToken].sort());
  });

  it.each(['', ' ', '2774', ' 2775 ', '0', '65536', '1e3', '-1', 'abc', '65535', '1'])(
    'picks the port the extension listens on for %j',
    (raw) => {
      const env = { [ENV.port]: raw };
      expect(extensionPort(env)).toBe(loadConfig(env).config.port);
    },
  );

  it('prefers PARAMETERS_SECRETS_EXTENSION_TOKEN, then AWS_SESSION_TOKEN, then the container token', () => {
    const all = {
      PARAMETERS_SECRETS_EXTENSION_TOKEN: 'own',
      AWS_SESSION_TOKEN: 'session',
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container',
    };
    expect(extensionToken(all)).toBe('own');
    expect(extensionToken({ ...all, PARAMETERS_SECRETS_EXTENSION_TOKEN: '' })).toBe('session');
    expect(extensionToken({ AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container' })).toBe('container');
    expect(extensionToken({})).toBeUndefined();
  });

  it('sends a token the extension accepts whenever the extension accepts any', () => {
    const names = [ENV.token, ENV.sessionToken, ENV.containerToken];
    // Every combination of the three variables set or unset.
    for (let mask = 0; mask < 8; mask++) {
      const env = Object.fromEntries(
        names.filter((_, i) => mask & (1 << i)).map((name) => [name, `v-${name}`]),
      );
      const accepted = loadConfig(env).config.tokens;
      const sent = extensionToken(env);
      if (accepted.length === 0) expect(sent).toBeUndefined();
      else expect(accepted).toContain(sent);
    }
  });
});
