/** The `hwflow` command line. Each subcommand lives in cli/commands/<name>.ts and registers itself. */
import { Command } from 'commander';
import { commands } from './commands/index.ts';

const program = new Command();
program
  .name('hwflow')
  .description('TypeScript hardware DSL for neural-network accelerators: generate, verify, export')
  .version('0.1.0')
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(s) });
program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
for (const register of commands) register(program);
await program.parseAsync(process.argv);
