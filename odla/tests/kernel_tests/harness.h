// Minimal test harness for kernels_test.cc: counters, tolerant comparison,
// deterministic random data and small N-d index helpers.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace kt {

struct Counts {
  int passed = 0;
  int failed = 0;
};

inline Counts& counts() {
  static Counts c;
  return c;
}

inline void check(const std::string& name, bool ok, const std::string& detail = "") {
  if (ok) {
    ++counts().passed;
  } else {
    ++counts().failed;
    std::printf("FAIL %s %s\n", name.c_str(), detail.c_str());
  }
}

// Passes when every |got - want| <= atol + rtol * |want| (NaN only matches NaN).
inline void expect_close(const std::string& name, const std::vector<float>& got,
                         const std::vector<float>& want, float atol = 1e-4f,
                         float rtol = 1e-4f) {
  if (got.size() != want.size()) {
    check(name, false, "size " + std::to_string(got.size()) + " != " + std::to_string(want.size()));
    return;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const bool both_nan = std::isnan(got[i]) && std::isnan(want[i]);
    const bool ok = both_nan || std::fabs(got[i] - want[i]) <= atol + rtol * std::fabs(want[i]);
    if (!ok) {
      check(name, false, "at " + std::to_string(i) + ": got " + std::to_string(got[i]) +
                             " want " + std::to_string(want[i]));
      return;
    }
  }
  check(name, true);
}

inline std::vector<float> random_vec(size_t n, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

inline int64_t product(const int64_t* dims, int rank) {
  int64_t p = 1;
  for (int i = 0; i < rank; ++i) p *= dims[i];
  return p;
}

// Row-major multi-index of flat index `flat` over dims[0..rank).
inline std::vector<int64_t> unravel(int64_t flat, const int64_t* dims, int rank) {
  std::vector<int64_t> idx(static_cast<size_t>(rank));
  for (int i = rank - 1; i >= 0; --i) {
    idx[i] = flat % dims[i];
    flat /= dims[i];
  }
  return idx;
}

inline int64_t ravel(const std::vector<int64_t>& idx, const int64_t* dims) {
  int64_t flat = 0;
  for (size_t i = 0; i < idx.size(); ++i) flat = flat * dims[i] + idx[i];
  return flat;
}

}  // namespace kt
