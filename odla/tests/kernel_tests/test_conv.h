// conv / deconv against direct N-d loops over every output (or input) point.
#pragma once

#include "harness.h"
#include "kernels/conv.h"

namespace kt {

using odla_ref::ConvParams;

// Input spatial index of output index o and kernel index k along axis a,
// or -1 when it falls into the padding.
inline int64_t conv_source(const ConvParams& p, int a, int64_t o, int64_t k) {
  const int64_t i = o * p.strides[a] - p.pads_front[a] + k * p.dilations[a];
  return i >= 0 && i < p.in_dims[a] ? i : -1;
}

inline std::vector<float> naive_conv(const ConvParams& p, const std::vector<float>& x,
                                     const std::vector<float>& w, const float* bias) {
  const int S = p.spatial;
  const int64_t in_sz = product(p.in_dims, S), out_sz = product(p.out_dims, S),
                k_sz = product(p.kernel, S);
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  std::vector<float> y(static_cast<size_t>(p.batch * p.out_channels * out_sz));
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oc = 0; oc < p.out_channels; ++oc)
      for (int64_t o = 0; o < out_sz; ++o) {
        const auto oi = unravel(o, p.out_dims, S);
        double acc = bias ? bias[oc] : 0.0;
        for (int64_t icg = 0; icg < cin_g; ++icg)
          for (int64_t kk = 0; kk < k_sz; ++kk) {
            const auto ki = unravel(kk, p.kernel, S);
            std::vector<int64_t> ii(static_cast<size_t>(S));
            bool inside = true;
            for (int a = 0; a < S; ++a) inside &= (ii[a] = conv_source(p, a, oi[a], ki[a])) >= 0;
            if (!inside) continue;
            const int64_t ic = oc / cout_g * cin_g + icg;
            acc += static_cast<double>(x[(n * p.in_channels + ic) * in_sz + ravel(ii, p.in_dims)]) *
                   w[(oc * cin_g + icg) * k_sz + kk];
          }
        y[(n * p.out_channels + oc) * out_sz + o] = static_cast<float>(acc);
      }
  return y;
}

// Scatter form: every input point times every tap lands on one output point.
inline std::vector<float> naive_deconv(const ConvParams& p, const std::vector<float>& x,
                                       const std::vector<float>& w, const float* bias) {
  const int S = p.spatial;
  const int64_t in_sz = product(p.in_dims, S), out_sz = product(p.out_dims, S),
                k_sz = product(p.kernel, S);
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  std::vector<double> acc(static_cast<size_t>(p.batch * p.out_channels * out_sz), 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t ic = 0; ic < p.in_channels; ++ic)
      for (int64_t i = 0; i < in_sz; ++i) {
        const auto ii = unravel(i, p.in_dims, S);
        for (int64_t ocg = 0; ocg < cout_g; ++ocg)
          for (int64_t kk = 0; kk < k_sz; ++kk) {
            const auto ki = unravel(kk, p.kernel, S);
            std::vector<int64_t> oi(static_cast<size_t>(S));
            bool inside = true;
            for (int a = 0; a < S; ++a) {
              oi[a] = ii[a] * p.strides[a] - p.pads_front[a] + ki[a] * p.dilations[a];
              inside &= oi[a] >= 0 && oi[a] < p.out_dims[a];
            }
            if (!inside) continue;
            const int64_t oc = ic / cin_g * cout_g + ocg;
            acc[(n * p.out_channels + oc) * out_sz + ravel(oi, p.out_dims)] +=
                static_cast<double>(x[(n * p.in_channels + ic) * in_sz + i]) *
                w[(ic * cout_g + ocg) * k_sz + kk];
          }
      }
  std::vector<float> y(acc.size());
  for (size_t j = 0; j < y.size(); ++j)
    y[j] = static_cast<float>(acc[j] + (bias ? bias[j / out_sz % p.out_channels] : 0.f));
  return y;
}

struct ConvCase {
  int spatial;
  int64_t batch, cin, cout, group;
  std::vector<int64_t> in, k, s, d, pf, pb, out_pad;  // out_pad: deconv only
};

inline ConvParams make_params(const ConvCase& c, bool transposed) {
  ConvParams p;
  p.spatial = c.spatial;
  p.batch = c.batch, p.in_channels = c.cin, p.out_channels = c.cout, p.group = c.group;
  for (int a = 0; a < c.spatial; ++a) {
    p.in_dims[a] = c.in[a], p.kernel[a] = c.k[a], p.strides[a] = c.s[a];
    p.dilations[a] = c.d[a], p.pads_front[a] = c.pf[a];
    const int64_t span = c.d[a] * (c.k[a] - 1) + 1;
    p.out_dims[a] = transposed
        ? (c.in[a] - 1) * c.s[a] + span - c.pf[a] - c.pb[a] + (c.out_pad.empty() ? 0 : c.out_pad[a])
        : (c.in[a] + c.pf[a] + c.pb[a] - span) / c.s[a] + 1;
  }
  return p;
}

inline void run_conv_case(const ConvCase& c, bool transposed, bool with_bias, uint32_t seed) {
  const ConvParams p = make_params(c, transposed);
  const int64_t k_sz = product(p.kernel, p.spatial);
  const int64_t w_sz = transposed ? c.cin * (c.cout / c.group) * k_sz : c.cout * (c.cin / c.group) * k_sz;
  const auto x = random_vec(static_cast<size_t>(c.batch * c.cin * product(p.in_dims, p.spatial)), seed);
  const auto w = random_vec(static_cast<size_t>(w_sz), seed + 1);
  const auto b = random_vec(static_cast<size_t>(c.cout), seed + 2);
  const float* bias = with_bias ? b.data() : nullptr;
  std::vector<float> y(static_cast<size_t>(c.batch * c.cout * product(p.out_dims, p.spatial)), 123.f);
  std::string name = std::string(transposed ? "deconv" : "conv") + " " + std::to_string(c.spatial) +
                     "d cin=" + std::to_string(c.cin) + " cout=" + std::to_string(c.cout) +
                     " g=" + std::to_string(c.group) + " seed=" + std::to_string(seed);
  if (transposed) {
    std::vector<char> ws(odla_ref::deconv_workspace_bytes(p));
    odla_ref::deconv(p, x.data(), w.data(), bias, y.data(), seed % 2 ? ws.data() : nullptr);
    expect_close(name, y, naive_deconv(p, x, w, bias), 1e-4f);
  } else {
    std::vector<char> ws(odla_ref::conv_workspace_bytes(p));
    odla_ref::conv(p, x.data(), w.data(), bias, y.data(), seed % 2 ? ws.data() : nullptr);
    std::vector<float> want = naive_conv(p, x, w, bias);
    expect_close(name, y, want, 1e-4f);
    // Constant weights packed once, a fused Relu (NaN and -0 to 0) applied as stored.
    const odla_ref::ConvWeights packed = odla_ref::pack_conv_weights(p, w.data());
    const odla_ref::detail::Activation relu{0.f, odla_ref::detail::Activation::kInf, true};
    std::fill(y.begin(), y.end(), 123.f);
    odla_ref::conv(p, x.data(), w.data(), bias, y.data(), seed % 2 ? nullptr : ws.data(), &packed,
                   relu);
    for (float& v : want) v = relu(v);
    expect_close(name + " packed+relu", y, want, 1e-4f);
  }
}

inline std::vector<ConvCase> conv_cases() {
  return {
      {2, 1, 3, 5, 1, {7, 9}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {}},
      {2, 2, 4, 6, 2, {8, 6}, {3, 2}, {2, 1}, {1, 2}, {1, 0}, {0, 2}, {1, 0}},
      {2, 1, 16, 8, 1, {5, 7}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {}},   // pointwise
      {2, 2, 6, 4, 2, {5, 7}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {}},    // grouped pointwise
      {2, 1, 6, 4, 1, {9, 7}, {1, 1}, {2, 2}, {1, 1}, {0, 0}, {0, 0}, {1, 1}},  // 1x1 stride 2
      {2, 1, 8, 8, 8, {10, 11}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {}},  // depthwise s1
      {2, 2, 8, 8, 8, {11, 10}, {3, 3}, {2, 2}, {1, 1}, {0, 0}, {1, 1}, {1, 1}},  // depthwise s2
      {2, 1, 4, 8, 4, {9, 9}, {3, 3}, {1, 2}, {2, 2}, {2, 1}, {2, 3}, {}},    // depthwise x2
      {2, 1, 5, 5, 5, {6, 6}, {5, 5}, {1, 1}, {1, 1}, {2, 2}, {2, 2}, {}},    // depthwise 5x5
      {1, 2, 3, 4, 1, {20}, {5}, {2}, {2}, {3}, {1}, {1}},
      {1, 1, 6, 6, 6, {17}, {3}, {1}, {1}, {1}, {1}, {}},                      // depthwise 1-D
      {3, 1, 2, 3, 1, {5, 6, 7}, {2, 3, 3}, {1, 2, 1}, {1, 1, 2}, {1, 0, 2}, {0, 1, 1}, {0, 1, 0}},
      {3, 1, 4, 4, 4, {4, 5, 6}, {3, 3, 3}, {1, 1, 2}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {}},
      {3, 2, 3, 3, 3, {3, 5, 6}, {1, 3, 3}, {2, 1, 2}, {1, 2, 1}, {1, 2, 1}, {0, 1, 1}, {}},  // dw 1x3x3
      // K * N >= 2^20: per-thread im2col blocks (up to 2 threads)
      {2, 1, 16, 2, 1, {90, 90}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {}},
      {2, 1, 16, 2, 1, {181, 181}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {0, 1}, {}},
      {2, 1, 1, 7, 1, {6, 5}, {2, 2}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {}},    // C_in 1
      {2, 1, 3, 2, 1, {4, 4}, {1, 1}, {1, 1}, {1, 1}, {2, 1}, {1, 2}, {}},    // pads > kernel
      {2, 1, 64, 64, 1, {28, 28}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {}},
      {2, 1, 8, 12, 4, {9, 8}, {3, 3}, {3, 2}, {2, 1}, {2, 1}, {0, 1}, {2, 1}},
      // Winograd F(2x2, 3x3): odd output sizes (partial tiles), asymmetric pads
      {2, 1, 128, 128, 1, {15, 17}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {}},
      {2, 2, 128, 136, 1, {16, 16}, {3, 3}, {1, 1}, {1, 1}, {0, 1}, {2, 0}, {}},
  };
}

inline void test_conv() {
  uint32_t seed = 500;
  for (const ConvCase& c : conv_cases()) {
    run_conv_case(c, false, true, seed++);
    run_conv_case(c, false, false, seed++);
    if (c.cout % c.group == 0 && c.cin >= c.group && c.cin < 128 &&
        product(c.in.data(), c.spatial) <= 400) {
      run_conv_case(c, true, true, seed++);
      run_conv_case(c, true, false, seed++);
    }
  }
}

}  // namespace kt
