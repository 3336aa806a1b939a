/** Every subcommand of the CLI, in `hwflow --help` order. Add a line per new command. */
import type { Command } from 'commander';
import { register as exportCmd } from './export.ts';
import { register as build } from './build.ts';
import { register as synth } from './synth.ts';
import { register as report } from './report.ts';
import { register as list } from './list.ts';
import { register as gen } from './gen.ts';
import { register as demo } from './demo.ts';
import { register as run } from './run.ts';
import { register as init } from './init.ts';
import { register as explore } from './explore.ts';
import { register as hlsCmd } from './hls.ts';
import { register as prove } from './prove.ts';

export const commands: ((program: Command) => void)[] = [init, list, gen, demo, run, hlsCmd, exportCmd, build, synth, prove, report, explore];
