/**
 * cnn-lens: the same checks as the editor, for terminals and CI.
 * Exit 0: no error; 1: the network has errors (or a check failed); 2: bad usage or an unreadable file.
 */
import { readFileSync } from 'node:fs';
import { check, type CheckOptions } from '../engine';
import { parseArgs, UsageError } from './args';
import { checkJson, checkText } from './checkReport';
import { exportCommand } from './exportCommand';
import { importCommand } from './importCommand';
import { gradcheckCommand, runCommand } from './runCommands';
import { isTfjsCodeFile, tfjsCheck } from './tfjsCheck';

const USAGE = `usage:
  cnn-lens check FILE [--json] [--memory-limit BYTES]
  cnn-lens check MODEL.ts|MODEL.js [--json]        (TensorFlow.js model code)
  cnn-lens gradcheck FILE [--json] [--mode full|sampled|directional] [--samples N] [--eps E] [--atol A] [--rtol R]
                          [--batch N] [--seed S] [--memory-limit BYTES]
  cnn-lens run FILE --dump OUT.json [--batch N] [--seed S] [--memory-limit BYTES]
  cnn-lens export FILE --to pytorch|tfjs [-o OUT]
  cnn-lens import MODEL.ts|MODEL.js [-o OUT.cnn] [--model NAME]   (TensorFlow.js model code to .cnn)`;

interface Command {
  readonly flags: Record<string, 'boolean' | 'string' | 'int' | 'number'>;
  run(file: string, text: string, flags: Record<string, string | number | boolean>): number | Promise<number>;
}

const RUN_FLAGS = { batch: 'int', seed: 'int', 'memory-limit': 'number' } as const;

const COMMANDS: Record<string, Command> = {
  check: {
    flags: { json: 'boolean', 'memory-limit': 'number' },
    run(file, text, flags) {
      if (isTfjsCodeFile(file)) {
        const { output, errors } = tfjsCheck(file, text, flags.json === true);
        process.stdout.write(`${output}\n`);
        return errors ? 1 : 0;
      }
      const analysis = check(text, checkOptions(flags));
      process.stdout.write(flags.json ? `${JSON.stringify(checkJson(analysis))}\n` : `${checkText(analysis, file)}\n`);
      return analysis.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
    },
  },
  run: {
    flags: { dump: 'string', ...RUN_FLAGS },
    run: (file, text, flags) => runCommand(check(text, checkOptions(flags)), file, flags),
  },
  gradcheck: {
    flags: {
      json: 'boolean',
      mode: 'string',
      samples: 'int',
      eps: 'number',
      atol: 'number',
      rtol: 'number',
      ...RUN_FLAGS,
    },
    run: (file, text, flags) => gradcheckCommand(check(text, checkOptions(flags)), file, flags),
  },
  export: {
    flags: { to: 'string', out: 'string' },
    run: (file, text, flags) => exportCommand(check(text), file, flags),
  },
  import: {
    flags: { out: 'string', model: 'string' },
    run: (file, text, flags) => importCommand(file, text, flags),
  },
};

/** The memory limit and batch the flags set, so `too-large` judges the run that will happen. */
function checkOptions(flags: Record<string, string | number | boolean>): CheckOptions {
  return {
    ...(typeof flags['memory-limit'] === 'number' && { memoryLimit: flags['memory-limit'] }),
    ...(typeof flags.batch === 'number' && { batch: flags.batch }),
  };
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (e as NodeJS.ErrnoException).code === 'EISDIR'
          ? 'it is a directory'
          : (e as Error).message;
    throw new UsageError(`cannot read ${file}: ${reason}`, false);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined) throw new UsageError('no command given');
    if (name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command '${name}'`);
    // `-o OUT` is the short form of `--out OUT`, as compilers write it.
    const { positionals, flags } = parseArgs(
      rest.map((a) => (a === '-o' ? '--out' : a)),
      command.flags,
    );
    if (flags['memory-limit'] !== undefined && !((flags['memory-limit'] as number) > 0))
      throw new UsageError('--memory-limit needs a number of bytes above 0');
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length ? `${name} takes one file, not ${positionals.length}` : `${name} needs a FILE`,
      );
    return await command.run(positionals[0], readSource(positionals[0]), flags);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`cnn-lens: ${e.message}\n${e.showUsage ? `${USAGE}\n` : ''}`);
    return 2;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
