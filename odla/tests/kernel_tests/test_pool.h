// max_pool / avg_pool against per-output window loops (ONNX semantics).
#pragma once

#include <limits>

#include "harness.h"
#include "kernels/pool.h"

namespace kt {

using odla_ref::PoolParams;

inline std::vector<float> naive_pool(const PoolParams& p, const std::vector<float>& x, bool max) {
  const int S = p.spatial;
  const int64_t in_sz = product(p.in_dims, S), out_sz = product(p.out_dims, S),
                w_sz = product(p.window, S);
  std::vector<float> y(static_cast<size_t>(p.batch * p.channels * out_sz));
  for (int64_t pl = 0; pl < p.batch * p.channels; ++pl)
    for (int64_t o = 0; o < out_sz; ++o) {
      const auto oi = unravel(o, p.out_dims, S);
      double sum = 0;
      float m = -std::numeric_limits<float>::infinity();
      int64_t real = 0, padded = 0;
      for (int64_t t = 0; t < w_sz; ++t) {
        const auto ti = unravel(t, p.window, S);
        std::vector<int64_t> ii(static_cast<size_t>(S));
        bool in_input = true, in_padded = true;
        for (int a = 0; a < S; ++a) {
          ii[a] = oi[a] * p.strides[a] - p.pads_front[a] + ti[a] * p.dilations[a];
          in_input &= ii[a] >= 0 && ii[a] < p.in_dims[a];
          in_padded &= ii[a] < p.in_dims[a] + p.pads_back[a];
        }
        padded += in_padded;
        if (!in_input) continue;
        const float v = x[pl * in_sz + ravel(ii, p.in_dims)];
        ++real;
        sum += v;
        m = std::max(m, v);
      }
      const int64_t count = p.count_include_pad ? padded : real;
      y[pl * out_sz + o] = max ? m : static_cast<float>(count ? sum / count : 0.0);
    }
  return y;
}

struct PoolCase {
  int spatial;
  std::vector<int64_t> in, win, s, d, pf, pb;
  bool ceil_mode;
};

inline void run_pool_case(const PoolCase& c, bool include_pad, uint32_t seed) {
  PoolParams p;
  p.spatial = c.spatial;
  p.batch = 2, p.channels = 3, p.count_include_pad = include_pad;
  for (int a = 0; a < c.spatial; ++a) {
    p.in_dims[a] = c.in[a], p.window[a] = c.win[a], p.strides[a] = c.s[a];
    p.dilations[a] = c.d[a], p.pads_front[a] = c.pf[a], p.pads_back[a] = c.pb[a];
    const int64_t span = c.d[a] * (c.win[a] - 1) + 1, total = c.in[a] + c.pf[a] + c.pb[a] - span;
    p.out_dims[a] = (c.ceil_mode ? (total + c.s[a] - 1) / c.s[a] : total / c.s[a]) + 1;
  }
  const auto x = random_vec(static_cast<size_t>(6 * product(p.in_dims, c.spatial)), seed);
  std::vector<float> y(static_cast<size_t>(6 * product(p.out_dims, c.spatial)));
  const std::string tag = std::to_string(c.spatial) + "d seed=" + std::to_string(seed);
  odla_ref::max_pool(p, x.data(), y.data());
  expect_close("max_pool " + tag, y, naive_pool(p, x, true), 0.f, 0.f);
  odla_ref::avg_pool(p, x.data(), y.data());
  expect_close("avg_pool include_pad=" + std::to_string(include_pad) + " " + tag, y,
               naive_pool(p, x, false), 1e-6f);
}

inline void test_pool() {
  const std::vector<PoolCase> cases = {
      {2, {8, 9}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}, false},
      {2, {7, 7}, {3, 3}, {2, 2}, {1, 1}, {0, 0}, {0, 0}, true},   // ceil mode runs past the end
      {2, {6, 9}, {2, 3}, {2, 2}, {1, 1}, {1, 0}, {0, 2}, true},   // asymmetric pads + ceil
      {2, {9, 9}, {3, 2}, {1, 2}, {2, 3}, {2, 1}, {1, 1}, false},  // dilations
      {2, {7, 7}, {7, 7}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, false},  // global
      {1, {13}, {4}, {3}, {1}, {2}, {1}, true},
      {1, {10}, {3}, {1}, {2}, {0}, {0}, false},
      {3, {5, 6, 7}, {2, 3, 2}, {2, 1, 2}, {1, 1, 1}, {1, 1, 0}, {0, 1, 1}, true},
      {3, {4, 4, 4}, {4, 4, 4}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, false},
  };
  uint32_t seed = 900;
  for (const PoolCase& c : cases) {
    run_pool_case(c, false, seed++);
    run_pool_case(c, true, seed++);
  }
}

}  // namespace kt
