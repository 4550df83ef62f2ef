/** A small, strict flag parser: unknown flags and missing values are usage errors (exit 2), never ignored. */

export class UsageError extends Error {
  /** Whether the usage text helps (a wrong flag) or only repeats itself (a missing file). */
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

export interface FlagSpec {
  /** `boolean` flags take no value; the others take the next argument. */
  readonly [flag: string]: 'boolean' | 'string' | 'int' | 'number';
}

export interface Parsed {
  readonly positionals: string[];
  readonly flags: Record<string, string | number | boolean>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): Parsed {
  const positionals: string[] = [];
  const flags: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const type = spec[name];
    if (!type) throw new UsageError(`unknown flag --${name}`);
    if (type === 'boolean') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const raw = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined || raw === '') throw new UsageError(`--${name} needs a value`);
    if (type === 'string') {
      flags[name] = raw;
    } else {
      const n = Number(raw);
      if (!Number.isFinite(n) || (type === 'int' && (!Number.isSafeInteger(n) || n < 0))) {
        throw new UsageError(`--${name} needs ${type === 'int' ? 'a whole number ≥ 0' : 'a number'}, not '${raw}'`);
      }
      flags[name] = n;
    }
  }
  return { positionals, flags };
}
