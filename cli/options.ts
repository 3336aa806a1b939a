/** Options several commands share: the parameter selection of a design. */
import type { Command } from 'commander';

/** What `--preset` and `--param` parse to. */
export interface DesignOptions {
  preset?: string;
  param: string[];
}

/** Add `--preset <name>` and the repeatable `--param key=value`. */
export function paramOptions(cmd: Command): Command {
  return cmd
    .option('--preset <name>', 'parameter preset')
    .option('--param <key=value>', 'override a parameter (repeatable)', collect, []);
}

/** Commander's accumulator for a repeatable option. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];
