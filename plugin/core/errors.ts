/**
 * Errors thrown at the library's boundaries. Each names what was wrong, the
 * value it got and what is allowed, so a game developer can fix the input
 * without reading our source.
 */

/**
 * A hyperparameter (or other option) with a bad value.
 * @example
 * ```ts
 * try { validateConfig({ gamma: 2 }); } catch (e) { if (e instanceof ConfigError) console.log(e.field); } // 'gamma'
 * ```
 */
export class ConfigError extends Error {
  /**
   * @param field the option's name, e.g. `gamma`
   * @param value the value received
   * @param allowed what would have been accepted, e.g. `a finite number in [0, 1]`
   * @param reason short reason, `invalid` unless given
   */
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
    reason = 'is invalid',
  ) {
    super(`config.${field} = ${describe(value)} ${reason === 'is invalid' ? 'is invalid' : `(${reason})`}: expected ${allowed}`);
    this.name = 'ConfigError';
  }
}

/**
 * An env spec, env output or episode that does not fit the contract.
 * @example
 * ```ts
 * throw new EnvContractError('env step 3: obs has length 5, expected 6');
 * ```
 */
export class EnvContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvContractError';
  }
}

/**
 * Short printable form of any value for error messages.
 * @example
 * ```ts
 * describe('abc'); // '"abc"'
 * describe([1, 2]); // 'array(2)'
 * ```
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `array(${value.length})`;
  try {
    const s = JSON.stringify(value);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
