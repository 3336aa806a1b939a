// Hand-written Verilator testbench for bench/harness.ts, variant (a), for the second design: the C++
// loop a verification engineer would write by hand for stream_pipe_w64 (a few pipeline stages and a
// queue between a 64-bit input stream and a 64-bit output stream), linked directly to the model. It
// does what the generated harness does per cycle (seeded valid/ready stalls, two evals, handshake
// bookkeeping) but makes its tokens inline and only counts and checksums the outputs. The model is
// light, so this loop is close to the fastest a testbench can drive it: the speed to match.
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include "verilated.h"
#include "Vstream_pipe_w64.h"

static uint32_t rng_state = 1;
static inline uint32_t rng() {
  uint32_t x = rng_state;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return rng_state = x;
}
// splitmix64 seeded 1, as bench/harness.ts makes the same tokens.
static inline uint64_t next_token(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int main(int argc, char** argv) {
  if (argc < 5) { std::fprintf(stderr, "usage: %s tokens stall_in stall_out seed\n", argv[0]); return 2; }
  const uint64_t tokens = std::strtoull(argv[1], nullptr, 10);
  const uint32_t stall_in = std::strtoul(argv[2], nullptr, 10), stall_out = std::strtoul(argv[3], nullptr, 10);
  rng_state = std::strtoul(argv[4], nullptr, 10) | 1u;
  VerilatedContext ctx;
  Vstream_pipe_w64 top{&ctx};
  top.rst = 1;
  for (int i = 0; i < 2; i++) { top.clk = 0; top.eval(); top.clk = 1; top.eval(); }
  top.rst = 0;
  uint64_t cycle = 0, sent = 0, got = 0, checksum = 0;
  uint64_t tok = 1;
  bool hold = false;
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
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
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;  // CPU time: the speed on an idle core
  std::printf("{\"cycles\": %llu, \"seconds\": %.6f, \"cpu\": %.6f, \"outputs\": %llu, \"checksum\": \"%llu\"}\n",
              (unsigned long long)cycle, s, cpu, (unsigned long long)got, (unsigned long long)checksum);
  top.final();
  return 0;
}
