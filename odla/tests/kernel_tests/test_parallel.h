// parallel_for: coverage, grain, nesting, concurrent callers, exceptions.
#pragma once

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "harness.h"
#include "kernels/parallel.h"

namespace kt {

inline bool covers_once(int64_t n, int64_t grain) {
  std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
  for (auto& h : hits) h = 0;
  std::atomic<bool> small_chunk{false};
  odla_ref::parallel_for(n, [&](int64_t b, int64_t e) {
    if (e - b < grain && e != n) small_chunk = true;
    for (int64_t i = b; i < e; ++i) ++hits[i];
  }, grain);
  for (auto& h : hits)
    if (h != 1) return false;
  return !small_chunk;
}

inline void test_parallel() {
  check("num_threads >= 1", odla_ref::num_threads() >= 1);
  for (int64_t n : {0, 1, 2, 7, 100, 10007})
    for (int64_t grain : {1, 3, 64}) check("parallel_for covers n=" + std::to_string(n), covers_once(n, grain));

  std::atomic<int64_t> nested{0};
  odla_ref::parallel_for(8, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      odla_ref::parallel_for(100, [&](int64_t b2, int64_t e2) { nested += e2 - b2; });
  });
  check("parallel_for nested", nested == 800);

  std::atomic<int64_t> total{0};
  std::vector<std::thread> hosts;
  for (int t = 0; t < 4; ++t) {
    hosts.emplace_back([&] {
      for (int r = 0; r < 50; ++r)
        odla_ref::parallel_for(1000, [&](int64_t b, int64_t e) { total += e - b; });
    });
  }
  for (auto& h : hosts) h.join();
  check("parallel_for concurrent host threads", total == 4 * 50 * 1000);

  bool thrown = false;
  try {
    odla_ref::parallel_for(100, [](int64_t b, int64_t) {
      if (b == 0) throw std::runtime_error("boom");
    });
  } catch (const std::runtime_error&) {
    thrown = true;
  }
  check("parallel_for rethrows", thrown);
}

}  // namespace kt
