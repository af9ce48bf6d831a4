// Normalization and softmax kernels against direct per-element formulas.
#pragma once

#include <cmath>

#include "harness.h"
#include "kernels/norm.h"
#include "kernels/softmax.h"

namespace kt {

inline void test_batch_instance_norm(int64_t N, int64_t C, int64_t inner, bool affine) {
  const auto x = random_vec(static_cast<size_t>(N * C * inner), 1);
  const auto mean = random_vec(static_cast<size_t>(C), 2), var = random_vec(static_cast<size_t>(C), 3, 0.1f, 2.f);
  const auto sc = random_vec(static_cast<size_t>(C), 4), bi = random_vec(static_cast<size_t>(C), 5);
  const float* scale = affine ? sc.data() : nullptr;
  const float* bias = affine ? bi.data() : nullptr;
  std::vector<float> y(x.size()), want(x.size()), want_in(x.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const float* xc = &x[(n * C + c) * inner];
      double m = 0, v = 0;
      for (int64_t i = 0; i < inner; ++i) m += xc[i] / static_cast<double>(inner);
      for (int64_t i = 0; i < inner; ++i) v += (xc[i] - m) * (xc[i] - m) / static_cast<double>(inner);
      const double g = affine ? sc[c] : 1.0, b = affine ? bi[c] : 0.0;
      for (int64_t i = 0; i < inner; ++i) {
        want[(n * C + c) * inner + i] = static_cast<float>((xc[i] - mean[c]) / std::sqrt(var[c] + 1e-5) * g + b);
        want_in[(n * C + c) * inner + i] = static_cast<float>((xc[i] - m) / std::sqrt(v + 1e-3) * g + b);
      }
    }
  const std::string tag = std::to_string(N) + "x" + std::to_string(C) + "x" + std::to_string(inner);
  odla_ref::batch_norm(x.data(), y.data(), N, C, inner, mean.data(), var.data(), scale, bias, 1e-5f);
  expect_close("batch_norm " + tag, y, want, 1e-5f);
  odla_ref::instance_norm(x.data(), y.data(), N, C, inner, scale, bias, 1e-3f);
  expect_close("instance_norm " + tag, y, want_in, 1e-4f);
}

inline void test_layer_norm(int64_t outer, int64_t inner, bool with_scale, bool with_bias) {
  const auto x = random_vec(static_cast<size_t>(outer * inner), 6, -3.f, 5.f);
  const auto sc = random_vec(static_cast<size_t>(inner), 7), bi = random_vec(static_cast<size_t>(inner), 8);
  std::vector<float> y(x.size()), want(x.size());
  for (int64_t r = 0; r < outer; ++r) {
    double m = 0, v = 0;
    for (int64_t i = 0; i < inner; ++i) m += x[r * inner + i] / static_cast<double>(inner);
    for (int64_t i = 0; i < inner; ++i) v += std::pow(x[r * inner + i] - m, 2) / static_cast<double>(inner);
    for (int64_t i = 0; i < inner; ++i)
      want[r * inner + i] = static_cast<float>((x[r * inner + i] - m) / std::sqrt(v + 1e-5) *
                                                   (with_scale ? sc[i] : 1.0) + (with_bias ? bi[i] : 0.0));
  }
  odla_ref::layer_norm(x.data(), y.data(), outer, inner, with_scale ? sc.data() : nullptr,
                       with_bias ? bi.data() : nullptr, 1e-5f);
  expect_close("layer_norm " + std::to_string(outer) + "x" + std::to_string(inner), y, want, 1e-4f);
}

inline void test_lrn(int64_t C, int64_t size) {
  const int64_t N = 2, inner = 5;
  const auto x = random_vec(static_cast<size_t>(N * C * inner), 9, -2.f, 2.f);
  std::vector<float> y(x.size()), want(x.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        double s = 0;
        for (int64_t k = c - (size - 1) / 2; k <= c + size / 2; ++k)  // ceil((size-1)/2) = size/2
          if (k >= 0 && k < C) s += std::pow(x[(n * C + k) * inner + i], 2);
        const size_t at = static_cast<size_t>((n * C + c) * inner + i);
        want[at] = static_cast<float>(x[at] / std::pow(1.5 + 1e-2 / size * s, 0.75));
      }
  odla_ref::lrn(x.data(), y.data(), N, C, inner, size, 1e-2f, 0.75f, 1.5f);
  expect_close("lrn C=" + std::to_string(C) + " size=" + std::to_string(size), y, want, 1e-5f);
}

inline void test_softmax(int64_t outer, int64_t len, int64_t inner) {
  const auto x = random_vec(static_cast<size_t>(outer * len * inner), 10, -20.f, 20.f);
  std::vector<float> sm(x.size()), lsm(x.size()), hm(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      auto at = [&](int64_t i) { return static_cast<size_t>((o * len + i) * inner + j); };
      double m = -1e30, s = 0;
      int64_t best = 0;
      for (int64_t i = 0; i < len; ++i) m = std::max(m, static_cast<double>(x[at(i)]));
      for (int64_t i = 0; i < len; ++i) s += std::exp(x[at(i)] - m);
      for (int64_t i = 0; i < len; ++i) best = x[at(i)] > x[at(best)] ? i : best;
      for (int64_t i = 0; i < len; ++i) {
        sm[at(i)] = static_cast<float>(std::exp(x[at(i)] - m) / s);
        lsm[at(i)] = static_cast<float>(x[at(i)] - m - std::log(s));
        hm[at(i)] = i == best ? 1.f : 0.f;
      }
    }
  const std::string tag = std::to_string(outer) + "x" + std::to_string(len) + "x" + std::to_string(inner);
  std::vector<float> y = x;  // in place
  odla_ref::softmax(y.data(), y.data(), outer, len, inner);
  expect_close("softmax " + tag, y, sm, 1e-6f);
  odla_ref::log_softmax(x.data(), y.data(), outer, len, inner);
  expect_close("log_softmax " + tag, y, lsm, 1e-5f);
  odla_ref::hardmax(x.data(), y.data(), outer, len, inner);
  expect_close("hardmax " + tag, y, hm, 0.f, 0.f);
}

// Ties go to the first maximum (ONNX Hardmax).
inline void test_hardmax_ties() {
  const std::vector<float> x = {1, 3, 3, 0, /* row 2 */ 2, 2, 2, 2};
  std::vector<float> y(8);
  odla_ref::hardmax(x.data(), y.data(), 2, 4, 1);
  expect_close("hardmax ties last axis", y, {0, 1, 0, 0, 1, 0, 0, 0}, 0.f, 0.f);
  odla_ref::hardmax(x.data(), y.data(), 1, 2, 4);  // axis of length 2, inner 4
  expect_close("hardmax ties inner axis", y, {0, 1, 1, 0, 1, 0, 0, 1}, 0.f, 0.f);
}

inline void test_norm() {
  test_hardmax_ties();
  test_batch_instance_norm(3, 4, 1, true);
  test_batch_instance_norm(2, 5, 37, true);
  test_batch_instance_norm(1, 3, 2000, false);
  test_layer_norm(7, 33, true, true);
  test_layer_norm(3, 1000, false, true);
  test_layer_norm(5, 8, true, false);
  for (int64_t size : {1, 2, 3, 4, 5}) test_lrn(7, size);
  test_softmax(3, 7, 1);
  test_softmax(2, 5, 70);
  test_softmax(1, 1000, 1);
  test_softmax(4, 1, 3);
  test_softmax(2, 3, 130);
}

}  // namespace kt
