/** `hwflow list`: the registered designs with their presets and parameters. */
import type { Command } from 'commander';
import { registry } from '../../generators/registry.ts';

export function register(program: Command): void {
  program
    .command('list')
    .description('list registered designs, their presets and parameters')
    .action(() => {
      for (const g of Object.values(registry)) {
        process.stdout.write(`${g.name.padEnd(14)} ${g.description}\n`);
        process.stdout.write(`${''.padEnd(14)} presets: ${Object.keys(g.presets).map((p) => (p === g.defaultPreset ? `${p} (default)` : p)).join(', ')}\n`);
        const params = Object.entries(g.params).map(([k, s]) => `${k}${s.kind === 'int' && s.min !== undefined ? `[${s.min}..${s.max ?? ''}]` : s.kind === 'enum' ? `{${s.values?.join('|')}}` : ''}`);
        process.stdout.write(`${''.padEnd(14)} params: ${params.join(' ')}\n`);
      }
    });
}
