// Hand-written Verilator testbench for bench/harness.ts, variant (a), for the second design: the C++
// loop a verification engineer would write by hand for stream_pipe_w64 (a few pipeline stages and a
// queue between a 64-bit input stream and a 64-bit output stream), linked directly to the model. It
// does what the generated harness does per cycle (seeded valid/ready stalls, two evals, handshake
// bookkeeping) but makes its tokens inline and only counts and checksums the outputs. The model is
// light, so this loop is close to the fastest a testbench can drive it: the speed to match.
#include "harness-loop-common.h"
#include "verilated.h"
#include "Vstream_pipe_w64.h"

int main(int argc, char** argv) {
  const LoopArgs args = loop_args(argc, argv);
  const uint64_t tokens = args.tokens;
  const uint32_t stall_in = args.stall_in, stall_out = args.stall_out;
  VerilatedContext ctx;
  Vstream_pipe_w64 top{&ctx};
  reset_model(top);
  uint64_t cycle = 0, sent = 0, got = 0, checksum = 0;
  uint64_t tok = 1;
  bool hold = false;
  const LoopTimer timer;
  while (got < tokens) {
    uint32_t r = rng() & 0xffffu;
    if (!hold && r >= stall_in && sent < tokens) { top.in_payload = next_token(tok); hold = true; }
    top.in_valid = hold;
    top.out_ready = (rng() & 0xffffu) >= stall_out;
    top.clk = 0; top.eval();
    if (hold && top.in_ready) { hold = false; sent++; }
    if (top.out_valid && top.out_ready) { checksum = checksum * 31 + top.out_payload; got++; }
    top.clk = 1; top.eval();
    cycle++;
  }
  timer.report(cycle, got, checksum);
  top.final();
  return 0;
}
