/** `hwflow demo` (`npm run demo`): generate every preset of every registered design and tabulate it. */
import path from 'node:path';
import type { Command } from 'commander';
import { writeDesign } from '../../dsl/output.ts';
import { registry } from '../../generators/registry.ts';
import { resolveDesign } from '../design.ts';
import { printWarnings, runCommand } from '../errors.ts';
import { designStats } from '../stats.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description('generate every preset of every registered design into rtl-out/ and print a summary table')
    .option('--out <dir>', 'root folder', 'rtl-out')
    .action((opts: { out: string }) =>
      runCommand(async () => {
        const rows: string[][] = [['design', 'preset', 'top module', 'modules', 'ports', 'regs', 'mem bits', 'ops', 'elab ms']];
        const warnings: { message: string }[] = [];
        for (const g of Object.values(registry)) {
          for (const preset of Object.keys(g.presets)) {
            const t0 = performance.now();
            const d = await resolveDesign(g.name, { preset });
            const w = writeDesign(d.circuit, path.join(opts.out, d.circuit.top.name), d.info);
            const ms = performance.now() - t0;
            const s = designStats(d.circuit);
            warnings.push(...(w.manifest.warnings ?? []).map((x) => ({ message: `${g.name} --preset ${preset}: ${x.message}` })));
            rows.push([g.name, preset, w.manifest.top, String(s.modules), String(s.ports), String(s.regBits), String(s.memBits), String(s.ops), ms.toFixed(0)]);
          }
        }
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        for (const [i, r] of rows.entries()) {
          process.stdout.write(r.map((c, j) => c.padEnd(widths[j]!)).join('  ') + '\n');
          if (i === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
        }
        printWarnings(warnings);
      }),
    );
}
