/**
 * The vector-symbolic engine (ACCELERATORS.md §7): binary hypervectors of D bits moved w bits per
 * cycle through XOR, a popcount tree, per-bit counters and a running best, driven by an instruction
 * stream over a register file of hypervectors.
 *
 * Memories (block RAM: synchronous reads, one write port each):
 *   regfile A, B   regs × D/w words of w bits, written together (two copies: two read ports, so
 *                  BIND and SIM read both operands in one cycle)
 *   codebook       C × D/w words
 *   tie            D/w words, the fixed seeded tie vector of BUNDLE (a ROM)
 * Three stages: ISSUE walks (operand k, word j) and reads the memories; EXECUTE, one cycle later,
 * gets the words, XORs, counts bits for BUNDLE, writes the register file, emits a STORE word, and
 * registers the popcount of the XOR; COUNT, one cycle later again, sums the popcounts into the
 * Hamming distance, keeps the running best and emits the SIM / CLEANUP result (the popcount tree
 * and the sum with its compare in separate cycles, for the clock). The whole pipeline holds (the
 * reads held) while an output token waits for `out.ready`.
 *
 * Per instruction (opcodes in ops.ts), n = D/w words:
 *   LOAD / CBLOAD  n words from `vec` into register dst / codebook item imm, one per cycle
 *   BIND           word j: A[a][j] XOR B[b][j] → dst[j]                           n cycles
 *   PERM           rotation by imm = q·w + s: word j = (a[j − q] << s) | (a[j − q − 1] >> (w − s)),
 *                  a walk of n + 1 reads starting at word −q − 1 (the previous word kept)
 *   BUNDLE         word-major: for each word j, registers a .. a + imm − 1, a w-wide row of
 *                  counters; at the last one dst[j] = majority (tie vector's bit on a tie)
 *                  n·imm cycles (a bundle in place, dst among its operands, is fine)
 *   SIM            popcount(A[a][j] XOR B[b][j]) summed over j; one token {sim: D − 2·ham}
 *   CLEANUP        item-major: popcount(A[a][j] XOR CB[c][j]) summed over j, then the running best
 *                  (strictly fewer differing bits replaces it: ties keep the lowest item); one token
 *                  {index, sim} after n·imm cycles: the D·C/w bound
 *   STORE          n tokens {word: A[a][j]}
 * Each instruction costs its walk plus 3 cycles (take it; drain EXECUTE and COUNT): the next is
 * taken once both are empty, so no instruction reads a word its predecessor is still writing.
 *
 * Streams: instr (Record {op, dst, a, b, imm}), vec (words of w bits, little-endian: word j holds
 * bits j·w .. j·w + w − 1), out (Record {word, index, sim}: a STORE word, or a SIM / CLEANUP result).
 */
import { In, Out, Record, Stream, module, sint, uint, mux, cat, lit, sumTree } from '../../dsl/index.ts';
import type { Value } from '../../dsl/index.ts';
import { OP, tieVector, toWideWords } from './ops.ts';
import { clog2, vsaModuleName, vsaSizes, type VsaParams } from './params.ts';

/** One instruction of the stream. */
export const instrType = (p: VsaParams) => {
  const z = vsaSizes(p);
  return Record({ op: uint(3), dst: uint(z.regBits), a: uint(z.regBits), b: uint(z.regBits), imm: uint(z.immBits) });
};

/** One output token: a word of a STORE, or the {index, sim} of a SIM (index 0) or CLEANUP. */
export const outType = (p: VsaParams) => {
  const z = vsaSizes(p);
  return Record({ word: uint(p.w), index: uint(z.itemBits), sim: sint(z.simBits) });
};

export function vsaPorts(p: VsaParams) {
  return {
    instr: In(Stream(instrType(p))),
    vec: In(Stream(uint(p.w))),
    out: Out(Stream(outType(p))),
  };
}

export function createVsa(p: VsaParams) {
  const z = vsaSizes(p);
  const n = z.words;
  const w = p.w;
  const sBits = Math.log2(w);
  const kBits = clog2(Math.max(p.C, p.regs));
  const regAw = clog2(p.regs * n);
  const cbAw = clog2(p.C * n);
  // Bipolar (elemBits e > 1): w/e lanes of e-bit signed elements per word; binary otherwise.
  const e = p.elemBits;
  const bip = e > 1;
  const lanes = z.lanes;
  return module(vsaModuleName(p), vsaPorts(p), (io, m) => {
    /** Word `col` of row `row` in a memory of rows of n words. */
    const at = (row: Value, col: Value, aw: number): Value => row.resize(aw).mul(lit(uint(aw), n)).trunc(aw).add(col.resize(aw)).trunc(aw);

    // ---- the instruction being run ----------------------------------------------------------------
    const op = m.reg('op_q', uint(3));
    const dst = m.reg('dst_q', uint(z.regBits));
    const ra = m.reg('a_q', uint(z.regBits));
    const rb = m.reg('b_q', uint(z.regBits));
    const imm = m.reg('imm_q', uint(z.immBits));
    const is = (o: number): Value => op.eq(o);
    const loading = m.reg('loading_q', uint(1), { reset: 0 });
    const issuing = m.reg('issuing_q', uint(1), { reset: 0 });
    const v1 = m.reg('exec_valid_q', uint(1), { reset: 0 });
    const v2 = m.reg('count_valid_q', uint(1), { reset: 0 });
    io.instr.ready.set(loading.or(issuing).or(v1).or(v2).not());
    const f = io.instr.fields;

    // ---- ISSUE: the walk over (operand or item k, word j) ----------------------------------------
    const j = m.reg('word_q', uint(z.wordBits));
    const k = m.reg('operand_q', uint(kBits));
    const src = m.reg('perm_src_q', uint(z.wordBits)); // PERM: the source word read
    const pre = m.reg('perm_pre_q', uint(1)); // PERM: the first read (the word before the first)
    const lastJ = j.eq(n - 1);
    const lastK = k.resize(z.immBits + 1).add(1).trunc(z.immBits + 1).eq(imm.resize(z.immBits + 1));
    const shift = imm.slice(sBits - 1, 0);

    m.when(io.instr.fire, () => {
      op.set(f.op);
      dst.set(f.dst);
      ra.set(f.a);
      rb.set(f.b);
      // Bipolar: PERM rotates by imm elements, imm·e bits (below D: imm < D/e).
      const permImm = bip ? f.imm.shl(Math.log2(e)).trunc(z.immBits) : f.imm;
      imm.set(bip ? mux(f.op.eq(OP.PERM), permImm, f.imm) : f.imm);
      j.set(0);
      k.set(0);
      pre.set(1);
      // Word −q − 1 (mod n) first: q < n because imm < D.
      src.set(lit(uint(z.wordBits), n - 1).sub(permImm.shr(sBits).resize(z.wordBits)).trunc(z.wordBits));
      const load = f.op.eq(OP.LOAD).or(f.op.eq(OP.CBLOAD));
      loading.set(load);
      issuing.set(load.not());
    });

    // ---- LOAD, CBLOAD: words from vec ----------------------------------------------------------------
    io.vec.ready.set(loading);
    m.when(io.vec.fire, () => {
      j.set(mux(lastJ, 0, j.add(1).trunc(z.wordBits)));
      m.when(lastJ, () => loading.set(0));
    });

    // ---- EXECUTE's completion, hence the pipeline's advance ----------------------------------------
    const op1 = op; // the instruction does not change while it runs
    const j1 = m.reg('exec_word_q', uint(z.wordBits));
    const k1 = m.reg('exec_operand_q', uint(kBits));
    const pre1 = m.reg('exec_pre_q', uint(1));
    const lastJ1 = m.reg('exec_last_word_q', uint(1));
    const lastK1 = m.reg('exec_last_operand_q', uint(1));
    // COUNT, the stage after EXECUTE for SIM and CLEANUP: the registered popcount summed, the best.
    const first2 = m.reg('count_first_word_q', uint(1));
    const k2 = m.reg('count_item_q', uint(kBits));
    const lastJ2 = m.reg('count_last_word_q', uint(1));
    const lastK2 = m.reg('count_last_item_q', uint(1));
    const emits = v1.and(op1.eq(OP.STORE)).or(v2.and(op1.eq(OP.SIM).and(lastJ2).or(op1.eq(OP.CLEANUP).and(lastJ2).and(lastK2)))).named('emits');
    // One stall for the whole pipeline: only the stage with an output token can wait.
    const advance = emits.not().or(io.out.ready).named('advance');
    const issue = issuing.and(advance).named('issue');
    const execute = v1.and(advance).named('execute');

    // The walk: PERM reads n + 1 words, BUNDLE imm operands per word, CLEANUP n words per item.
    const permStep = src.eq(n - 1).named('perm_src_last');
    m.when(issue, () => {
      src.set(mux(permStep, 0, src.add(1).trunc(z.wordBits)));
      const nextJ = mux(lastJ, 0, j.add(1).trunc(z.wordBits));
      const done = (): void => issuing.set(0);
      m.switch(op)
        .is(OP.PERM, () => m.when(pre, () => pre.set(0)).otherwise(() => {
          j.set(nextJ);
          m.when(lastJ, done);
        }))
        .is(OP.BUNDLE, () => {
          k.set(mux(lastK, 0, k.add(1).trunc(kBits)));
          m.when(lastK, () => {
            j.set(nextJ);
            m.when(lastJ, done);
          });
        })
        .is(OP.CLEANUP, () => {
          j.set(nextJ);
          m.when(lastJ, () => {
            k.set(k.add(1).trunc(kBits));
            m.when(lastK, done);
          });
        })
        .default(() => {
          j.set(nextJ);
          m.when(lastJ, done);
        });
    });
    m.when(advance, () => {
      v1.set(issue);
      j1.set(j);
      k1.set(k);
      pre1.set(pre);
      lastJ1.set(lastJ);
      lastK1.set(lastK);
      v2.set(v1);
      first2.set(j1.eq(0));
      k2.set(k1);
      lastJ2.set(lastJ1);
      lastK2.set(lastK1);
    });

    // ---- the memories and their reads (one cycle ahead of EXECUTE) ----------------------------------
    const regA = m.mem('regfile_a', { type: uint(w), depth: p.regs * n });
    const regB = m.mem('regfile_b', { type: uint(w), depth: p.regs * n });
    const codebook = m.mem('codebook', { type: uint(w), depth: p.C * n });
    const tie = m.rom('tie', uint(w), toWideWords(tieVector(p.D), w));
    const rowA = mux(is(OP.BUNDLE), ra.resize(kBits + 1).add(k.resize(kBits + 1)).trunc(kBits + 1), ra.resize(kBits + 1));
    const colA = mux(is(OP.PERM), src, j);
    const wa = regA.read(at(rowA, colA, regAw), issue, 'word_a');
    const wb = regB.read(at(rb, j, regAw), issue, 'word_b');
    const wc = codebook.read(at(k, j, cbAw), issue.and(is(OP.CLEANUP)), 'word_c');

    // ---- EXECUTE ----------------------------------------------------------------------------------
    // PERM: the rotated word from this word and the one before.
    const prev = m.reg('perm_prev_q', uint(w));
    m.when(execute.and(is(OP.PERM)), () => prev.set(wa));
    const low = prev.shrBy(lit(uint(sBits + 1), w).sub(shift.resize(sBits + 1)).trunc(sBits + 1));
    const rotated = mux(shift.eq(0), wa, wa.shlBy(shift).or(low)).named('rotated');

    // BUNDLE: a counter per bit over the operands of this word; the majority at the last operand.
    const tieWord = tie.readAsync(j1.resize(tie.addrWidth));
    const counts = Array.from({ length: bip ? 0 : w }, (_, b) => m.reg(`count${b}_q`, uint(z.countBits)));
    const nOps = imm.resize(z.countBits + 1);
    const majority: Value[] = counts.map((c, b) => {
      const now = mux(k1.eq(0), lit(uint(z.countBits), 0), c).add(wa.bit(b).resize(z.countBits)).trunc(z.countBits);
      m.when(execute.and(is(OP.BUNDLE)), () => c.set(now));
      const twice = now.resize(z.countBits + 1).shl(1).trunc(z.countBits + 1);
      return twice.gt(nOps).or(twice.eq(nOps).and(tieWord.bit(b)));
    });
    const majWord = bip ? lit(uint(w), 0) : cat(...majority.slice().reverse());
    /** Lane l of a word as a signed e-bit element. */
    const lane = (word: Value, l: number): Value => word.slice(l * e + e - 1, l * e).asSInt();
    const packLanes = (vs: Value[]): Value => cat(...vs.map((v) => v.asUInt()).reverse());
    // Bipolar BUNDLE: an e-bit signed sum per lane over the operands (wrapping, as the golden model).
    const sums: Value[] = !bip
      ? []
      : Array.from({ length: lanes }, (_, l) => {
          const acc = m.reg(`sum${l}_q`, sint(e));
          const now = mux(k1.eq(0), lit(sint(e), 0), acc).add(lane(wa, l)).trunc(e);
          m.when(execute.and(is(OP.BUNDLE)), () => acc.set(now));
          return now;
        });
    const sumWord = bip ? packLanes(sums) : majWord;
    // Bipolar BIND: the lane products wrapped to e bits; SIM / CLEANUP: the full products summed.
    const bOperand = mux(is(OP.CLEANUP), wc, wb);
    const products = bip ? Array.from({ length: lanes }, (_, l) => lane(wa, l).mul(lane(bOperand, l))) : [];
    const bindWord = bip ? packLanes(products.map((x) => x.trunc(e))) : wa.xor(wb);

    // SIM, CLEANUP: differing bits of this word, summed over the words; the running best.
    const diff = wa.xor(bOperand);
    const count = v2.and(advance).named('count');
    const bestIdx = m.reg('best_index_q', uint(z.itemBits));
    let sim: Value;
    let newIdx: Value;
    if (!bip) {
      const ones = m.reg('ones_q', uint(z.hamBits));
      m.when(advance, () => ones.set(sumTree(Array.from({ length: w }, (_, b) => diff.bit(b))).resize(z.hamBits)));
      const ham = m.reg('ham_q', uint(z.hamBits));
      const hamNow = mux(first2, lit(uint(z.hamBits), 0), ham).add(ones).trunc(z.hamBits).named('ham_now');
      m.when(count, () => ham.set(hamNow));
      const bestHam = m.reg('best_ham_q', uint(z.hamBits));
      const better = k2.eq(0).or(hamNow.lt(bestHam)).named('better');
      const newHam = mux(better, hamNow, bestHam);
      newIdx = mux(better, k2.resize(z.itemBits), bestIdx);
      m.when(count.and(is(OP.CLEANUP)).and(lastJ2), () => {
        bestHam.set(newHam);
        bestIdx.set(newIdx);
      });
      const hamOut = mux(is(OP.CLEANUP), newHam, hamNow);
      sim = lit(uint(z.hamBits + 1), p.D).sub(hamOut.resize(z.hamBits + 1).shl(1).trunc(z.hamBits + 1)).trunc(z.simBits).asSInt();
    } else {
      // Bipolar: the adder tree of the lane products (EXECUTE), the running dot product and the
      // best (COUNT; strictly larger replaces it, so ties keep the lowest item).
      const t = sumTree(products);
      const part = m.reg('dot_part_q', sint(t.width));
      m.when(advance, () => part.set(t));
      const dot = m.reg('dot_q', sint(z.simBits));
      const dotNow = mux(first2, lit(sint(z.simBits), 0), dot).add(part).resize(z.simBits).named('dot_now');
      m.when(count, () => dot.set(dotNow));
      const bestDot = m.reg('best_dot_q', sint(z.simBits));
      const better = k2.eq(0).or(dotNow.gt(bestDot)).named('better');
      const newDot = mux(better, dotNow, bestDot);
      newIdx = mux(better, k2.resize(z.itemBits), bestIdx);
      m.when(count.and(is(OP.CLEANUP)).and(lastJ2), () => {
        bestDot.set(newDot);
        bestIdx.set(newIdx);
      });
      sim = mux(is(OP.CLEANUP), newDot, dotNow);
    }

    io.out.valid.set(emits);
    io.out.setFields({
      word: mux(is(OP.STORE), wa, lit(uint(w), 0)),
      index: mux(is(OP.CLEANUP), newIdx, lit(uint(z.itemBits), 0)),
      sim: mux(is(OP.STORE), lit(sint(z.simBits), 0), sim),
    });

    // ---- writes: LOAD from vec, BIND / PERM / BUNDLE from EXECUTE (never in the same cycle) --------
    const loadReg = io.vec.fire.and(is(OP.LOAD));
    const execWrite = execute.and(is(OP.BIND).or(is(OP.PERM).and(pre1.not())).or(is(OP.BUNDLE).and(lastK1))).named('exec_write');
    const wAddr = at(dst, mux(loading, j, j1), regAw);
    const wData = mux(loading, io.vec.payload, mux(is(OP.BIND), bindWord, mux(is(OP.PERM), rotated, sumWord)));
    for (const r of [regA, regB]) r.write(wAddr, wData, loadReg.or(execWrite));
    codebook.write(at(imm, j, cbAw), io.vec.payload, io.vec.fire.and(is(OP.CBLOAD)));
  });
}
