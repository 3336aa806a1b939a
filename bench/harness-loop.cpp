// Hand-written Verilator testbench for bench/harness.ts, variant (a): the C++ loop a verification
// engineer would write by hand for mac_grid_16x16_p16, linked directly to the model. It does what the
// generated harness does per cycle (seeded valid/ready stalls, two evals, handshake bookkeeping) but
// makes its tokens inline and only counts and checksums the outputs, so it is the speed to match.
#include "harness-loop-common.h"
#include "verilated.h"
#include "Vmac_grid_16x16_p16.h"

int main(int argc, char** argv) {
  const LoopArgs args = loop_args(argc, argv);
  const uint64_t tokens = args.tokens;
  const uint32_t stall_in = args.stall_in, stall_out = args.stall_out;
  VerilatedContext ctx;
  Vmac_grid_16x16_p16 top{&ctx};
  reset_model(top);
  const uint64_t want = tokens / 16;
  uint64_t cycle = 0, sent_a = 0, sent_w = 0, got = 0, checksum = 0;
  uint64_t tok_a = 1, tok_w = 2;
  bool hold_a = false, hold_w = false;
  const LoopTimer timer;
  while (got < want) {
    uint32_t r = rng() & 0xffffu;
    if (!hold_a && r >= stall_in && sent_a < tokens) { top.act_data = next_token(tok_a); hold_a = true; }
    top.act_valid = hold_a;
    r = rng() & 0xffffu;
    if (!hold_w && r >= stall_in && sent_w < tokens) { top.wgt_data = next_token(tok_w); hold_w = true; }
    top.wgt_valid = hold_w;
    top.out_ready = (rng() & 0xffffu) >= stall_out;
    top.clk = 0; top.eval();
    if (hold_a && top.act_ready) { hold_a = false; sent_a++; }
    if (hold_w && top.wgt_ready) { hold_w = false; sent_w++; }
    if (top.out_valid && top.out_ready) { checksum = checksum * 31 + top.out_data; got++; }
    top.clk = 1; top.eval();
    cycle++;
  }
  timer.report(cycle, got, checksum);
  top.final();
  return 0;
}
