// Shared by the hand-written loops of bench/harness.ts (variant (a)): the stall and token generators
// both loops must draw exactly like the TypeScript harness, the command line, the reset, and the JSON
// report.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>

// xorshift32, drawn in the same order as the generated harness draws it.
static uint32_t rng_state = 1;
static inline uint32_t rng() {
  uint32_t x = rng_state;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return rng_state = x;
}
// splitmix64, one state per stream, so bench/harness.ts can make the same tokens.
static inline uint64_t next_token(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// `tokens stall_in stall_out seed`: stall rates as 16-bit thresholds; the seed starts the stall draws.
struct LoopArgs { uint64_t tokens; uint32_t stall_in, stall_out; };
static LoopArgs loop_args(int argc, char** argv) {
  if (argc < 5) { std::fprintf(stderr, "usage: %s tokens stall_in stall_out seed\n", argv[0]); std::exit(2); }
  rng_state = std::strtoul(argv[4], nullptr, 10) | 1u;
  return { std::strtoull(argv[1], nullptr, 10), (uint32_t)std::strtoul(argv[2], nullptr, 10), (uint32_t)std::strtoul(argv[3], nullptr, 10) };
}

// Two cycles with reset high, then released, as the harness's RESET does.
template <class Model> static void reset_model(Model& top) {
  top.rst = 1;
  for (int i = 0; i < 2; i++) { top.clk = 0; top.eval(); top.clk = 1; top.eval(); }
  top.rst = 0;
}

// Wall and CPU time of the loop (CPU time: the speed on an idle core), printed as one JSON line.
struct LoopTimer {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  void report(uint64_t cycles, uint64_t outputs, uint64_t checksum) const {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    std::printf("{\"cycles\": %llu, \"seconds\": %.6f, \"cpu\": %.6f, \"outputs\": %llu, \"checksum\": \"%llu\"}\n",
                (unsigned long long)cycles, s, cpu, (unsigned long long)outputs, (unsigned long long)checksum);
  }
};
