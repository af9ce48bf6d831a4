// The reference runtime's integer kernels (kernels/qlinear.h: QLinearConv, QLinearMatMul on
// the int8 GEMM of kernels/qgemm.h) against a naive loop over the operators' definition, bit
// for bit, on shapes that are no multiples of any kernel's tiles. The GEMM kernel is the one
// the runtime chooses (ODLA_ISA picks it; the first line printed names it), and the vectorized
// elementwise operators (QuantizeLinear, DequantizeLinear, QLinearAdd) against their scalar
// definition, NaN, infinities, ties and every tail length included. Prints "kernel NAME" and
// "N passed, M failed"; exits non-zero on any failure.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "kernels/qgemm.h"
#include "kernels/qlinear.h"

namespace {

using odla_ref::ConvParams;

int g_passed = 0, g_failed = 0;
std::mt19937 g_rng(7);

std::vector<uint8_t> random_bytes(int64_t n) {
  std::vector<uint8_t> v(static_cast<size_t>(n));
  for (auto& b : v) b = static_cast<uint8_t>(g_rng());
  return v;
}

int32_t value(uint8_t byte, bool is_signed) {
  return is_signed ? static_cast<int8_t>(byte) : byte;
}

uint8_t requantized(int64_t acc, float mul, int32_t y_zero, bool y_signed) {
  const float lo = y_signed ? -128.f : 0.f, hi = y_signed ? 127.f : 255.f;
  const float v = odla_ref::requantize(static_cast<int32_t>(acc), mul,
                                       static_cast<float>(y_zero), lo, hi);
  return static_cast<uint8_t>(static_cast<int32_t>(v));
}

void check(const std::string& name, const std::vector<uint8_t>& got,
           const std::vector<uint8_t>& want) {
  size_t bad = 0;
  while (bad < got.size() && got[bad] == want[bad]) ++bad;
  if (got.size() == want.size() && bad == got.size()) {
    ++g_passed;
    return;
  }
  ++g_failed;
  std::printf("FAIL %s: element %zu of %zu: got %d, want %d\n", name.c_str(), bad, want.size(),
              bad < got.size() ? got[bad] : -1, bad < want.size() ? want[bad] : -1);
}

struct ConvCase {
  std::string name;
  int spatial;
  int64_t batch, cin, cout, group;
  int64_t in[3], k[3], s[3], d[3], pad_front[3], pad_back[3];
  bool x_signed, w_unsigned, y_signed, per_channel, w_zero, bias;
};

ConvParams params(const ConvCase& c) {
  ConvParams p;
  p.spatial = c.spatial;
  p.batch = c.batch;
  p.in_channels = c.cin;
  p.out_channels = c.cout;
  p.group = c.group;
  for (int a = 0; a < c.spatial; ++a) {
    p.in_dims[a] = c.in[a];
    p.kernel[a] = c.k[a];
    p.strides[a] = c.s[a];
    p.dilations[a] = c.d[a];
    p.pads_front[a] = c.pad_front[a];
    const int64_t span = c.in[a] + c.pad_front[a] + c.pad_back[a] - (c.k[a] - 1) * c.d[a] - 1;
    p.out_dims[a] = span / c.s[a] + 1;
  }
  return p;
}

// QLinearConv by its definition: sum (x - x_zero) * (w - w_zero[co]) + bias, requantized.
std::vector<uint8_t> naive_conv(const ConvCase& c, const ConvParams& p,
                                const std::vector<uint8_t>& x, int32_t xz,
                                const std::vector<uint8_t>& w, const std::vector<int32_t>& wz,
                                const std::vector<int32_t>& bias, const std::vector<float>& mul,
                                int32_t yz) {
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1},
          d[3] = {1, 1, 1}, pad[3] = {0, 0, 0};
  for (int a = 0; a < c.spatial; ++a) {
    const int b = 3 - c.spatial + a;
    in[b] = p.in_dims[a], out[b] = p.out_dims[a], k[b] = p.kernel[a];
    s[b] = p.strides[a], d[b] = p.dilations[a], pad[b] = p.pads_front[a];
  }
  const int64_t cg = c.cin / c.group, cog = c.cout / c.group;
  const int64_t in_size = in[0] * in[1] * in[2], out_size = out[0] * out[1] * out[2];
  const int64_t ks = k[0] * k[1] * k[2];
  std::vector<uint8_t> y(static_cast<size_t>(c.batch * c.cout * out_size));
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t co = 0; co < c.cout; ++co)
      for (int64_t o = 0; o < out_size; ++o) {
        const int64_t oz = o / (out[1] * out[2]), oy = o / out[2] % out[1], ox = o % out[2];
        int64_t acc = c.bias ? bias[co] : 0;
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t t = 0; t < ks; ++t) {
            const int64_t iz = oz * s[0] - pad[0] + t / (k[1] * k[2]) * d[0];
            const int64_t iy = oy * s[1] - pad[1] + t / k[2] % k[1] * d[1];
            const int64_t ix = ox * s[2] - pad[2] + t % k[2] * d[2];
            if (iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2])
              continue;
            const int64_t chan = n * c.cin + co / cog * cg + ci;
            const int32_t xv = value(x[chan * in_size + (iz * in[1] + iy) * in[2] + ix],
                                     c.x_signed);
            const int32_t wv = value(w[(co * cg + ci) * ks + t], !c.w_unsigned);
            acc += static_cast<int64_t>(xv - xz) * (wv - wz[co]);
          }
        y[(n * c.cout + co) * out_size + o] = requantized(acc, mul[co], yz, c.y_signed);
      }
  return y;
}

void test_conv(const ConvCase& c) {
  const ConvParams p = params(c);
  int64_t in_size = 1, out_size = 1, ks = 1;
  for (int a = 0; a < c.spatial; ++a) {
    in_size *= p.in_dims[a];
    out_size *= p.out_dims[a];
    ks *= p.kernel[a];
  }
  const std::vector<uint8_t> x = random_bytes(c.batch * c.cin * in_size);
  const std::vector<uint8_t> w = random_bytes(c.cout * (c.cin / c.group) * ks);
  const int32_t xz = c.x_signed ? -7 : 131, yz = c.y_signed ? 5 : 117;
  std::vector<int32_t> wz(static_cast<size_t>(c.cout)), bias(static_cast<size_t>(c.cout));
  std::vector<float> mul(static_cast<size_t>(c.cout));
  for (int64_t co = 0; co < c.cout; ++co) {
    const int64_t j = c.per_channel ? co : 0;
    wz[co] = !c.w_zero ? (c.w_unsigned ? 128 : 0) : static_cast<int32_t>(j * 37 % 256) -
                                                       (c.w_unsigned ? 0 : 128);
    mul[co] = 0.0002f + 0.00003f * static_cast<float>(j % 11);
    bias[co] = static_cast<int32_t>(g_rng() % 20001) - 10000;
  }
  const odla_ref::QConvPlan plan =
      odla_ref::plan_qconv(p, c.x_signed, xz, w.data(), c.w_unsigned, wz, mul, c.y_signed, yz);
  std::vector<uint8_t> ws(odla_ref::qconv_workspace_bytes(plan) + 64);
  std::vector<uint8_t> y(static_cast<size_t>(c.batch * c.cout * out_size), 0xA5);
  odla_ref::qconv(plan, x.data(), c.bias ? bias.data() : nullptr, y.data(), ws.data());
  check(c.name, y, naive_conv(c, p, x, xz, w, wz, bias, mul, yz));
}

// QLinearMatMul y [m, n] = a [m, k] x b [k, n] by its definition.
void test_matmul(const std::string& name, int64_t m, int64_t k, int64_t n, bool a_signed,
                 bool b_unsigned, bool b_zero, bool y_signed, bool bias) {
  const std::vector<uint8_t> a = random_bytes(m * k), b = random_bytes(k * n);
  const int32_t az = a_signed ? 3 : 250, yz = y_signed ? -9 : 64;
  std::vector<int32_t> bz(static_cast<size_t>(n)), bs(static_cast<size_t>(n));
  std::vector<float> mul(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    bz[j] = b_zero ? static_cast<int32_t>(j * 53 % 256) - (b_unsigned ? 0 : 128)
                   : (b_unsigned ? 128 : 0);
    mul[j] = 0.0004f + 0.00002f * static_cast<float>(j % 13);
    bs[j] = static_cast<int32_t>(g_rng() % 4001) - 2000;
  }
  const odla_ref::QMatMulPlan plan =
      odla_ref::plan_qmatmul(k, n, a_signed, az, b.data(), b_unsigned, bz, mul, y_signed, yz);
  std::vector<uint8_t> ws(odla_ref::qmatmul_workspace_bytes(plan, m) + 64);
  std::vector<uint8_t> y(static_cast<size_t>(m * n), 0xA5), want(y.size());
  odla_ref::qmatmul(plan, a.data(), m, bias ? bs.data() : nullptr, y.data(), ws.data());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t acc = bias ? bs[j] : 0;
      for (int64_t kk = 0; kk < k; ++kk)
        acc += static_cast<int64_t>(value(a[i * k + kk], a_signed) - az) *
               (value(b[kk * n + j], !b_unsigned) - bz[j]);
      want[i * n + j] = requantized(acc, mul[j], yz, y_signed);
    }
  check(name, y, want);
}

// name, spatial, batch, cin, cout, group, in, k, s, d, pads front, pads back,
// x_signed, w_unsigned, y_signed, per_channel, w_zero, bias
const ConvCase kConvCases[] = {
    {"pointwise", 2, 1, 13, 37, 1, {9, 11}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0},
     false, false, false, true, false, true},
    {"pointwise-wide", 2, 1, 70, 66, 1, {23, 29}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0},
     false, false, true, true, false, true},
    {"3x3-pad", 2, 1, 8, 16, 1, {12, 12}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1},
     false, false, false, true, false, true},
    {"3x3-valid", 2, 1, 5, 9, 1, {10, 13}, {3, 3}, {1, 1}, {1, 1}, {0, 0}, {0, 0},
     true, false, false, true, false, true},
    {"3x3-deep", 2, 1, 67, 33, 1, {7, 9}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1},
     false, false, false, true, false, true},
    {"k-lt-4", 2, 2, 3, 5, 1, {6, 7}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0},
     false, false, false, true, false, false},
    {"k-1", 1, 1, 1, 7, 1, {19}, {1}, {1}, {1}, {0}, {0},
     true, false, true, true, false, true},
    {"stride2-asymmetric-pad", 2, 2, 6, 5, 1, {11, 13}, {3, 3}, {2, 2}, {1, 1}, {1, 0}, {1, 2},
     false, false, false, true, false, true},
    {"7x7-stride2", 2, 1, 3, 19, 1, {29, 31}, {7, 7}, {2, 2}, {1, 1}, {3, 3}, {3, 3},
     false, false, false, true, false, true},
    {"pointwise-stride2", 2, 1, 40, 35, 1, {14, 15}, {1, 1}, {2, 2}, {1, 1}, {0, 0}, {0, 0},
     false, false, true, true, false, true},
    {"stride3-trailing-input", 2, 1, 4, 6, 1, {18, 16}, {2, 3}, {3, 2}, {1, 1}, {0, 1}, {0, 0},
     true, false, true, true, false, true},
    {"pad-back-only", 2, 1, 6, 10, 1, {8, 9}, {3, 2}, {1, 1}, {1, 1}, {0, 0}, {1, 2},
     false, false, false, true, false, true},
    {"dilated", 2, 1, 4, 8, 1, {14, 14}, {3, 3}, {1, 1}, {2, 2}, {0, 0}, {0, 0},
     true, false, true, true, false, true},
    {"dilated-stride2-pad", 2, 1, 5, 7, 1, {15, 14}, {3, 3}, {2, 2}, {2, 3}, {2, 1}, {2, 3},
     false, false, false, true, false, true},
    {"grouped", 2, 1, 8, 12, 2, {9, 9}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1},
     false, false, false, true, false, true},
    {"grouped-4", 2, 2, 16, 20, 4, {6, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1},
     true, false, true, true, false, true},
    {"depthwise", 2, 1, 16, 16, 16, {10, 10}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1},
     false, false, false, true, false, false},
    {"depthwise-stride2", 2, 1, 24, 24, 24, {15, 14}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1},
     true, false, false, true, false, true},
    {"depthwise-multiplier-2-stride3", 2, 1, 6, 12, 6, {13, 11}, {3, 3}, {3, 3}, {1, 1},
     {1, 0}, {1, 2}, false, false, true, true, true, true},
    {"per-tensor", 2, 1, 32, 24, 1, {7, 7}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0},
     false, false, false, false, false, true},
    {"uint8-weights-zero-points", 2, 1, 3, 4, 1, {8, 8}, {3, 3}, {1, 1}, {1, 1}, {0, 0}, {0, 0},
     false, true, false, false, true, true},
    {"weight-zero-points-per-channel", 2, 1, 9, 35, 1, {9, 10}, {3, 3}, {1, 1}, {1, 1},
     {1, 1}, {1, 1}, true, true, true, true, true, true},
    {"int8-weight-zero-points", 2, 2, 7, 40, 1, {5, 37}, {3, 1}, {1, 1}, {1, 1}, {1, 0},
     {1, 0}, false, false, false, true, true, false},
    {"1d", 1, 1, 5, 7, 1, {20}, {3}, {1}, {1}, {2}, {2},
     true, false, true, true, false, true},
    {"1d-stride2", 1, 3, 6, 9, 1, {41}, {5}, {2}, {1}, {2}, {1},
     false, false, false, true, true, true},
    {"3d", 3, 1, 4, 6, 1, {5, 6, 7}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1},
     false, false, false, true, false, true},
    {"3d-stride2", 3, 2, 3, 5, 1, {6, 7, 5}, {2, 3, 1}, {2, 2, 1}, {1, 1, 1}, {0, 1, 0},
     {1, 1, 0}, true, false, false, true, true, true},
    {"3d-pointwise", 3, 1, 9, 10, 1, {3, 4, 5}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0},
     {0, 0, 0}, false, false, true, true, false, true},
};

// The scalar definitions (odla_ops_quant.h) in float32 steps: round half to even, NaN to the
// zero point, saturation to the type's range.
uint8_t quantized(float v, float zero, bool y_signed) {
  const float lo = y_signed ? -128.f : 0.f, hi = y_signed ? 127.f : 255.f;
  if (std::isnan(v)) return static_cast<uint8_t>(static_cast<int32_t>(zero));
  v = std::nearbyint(v) + zero;
  v = v < lo ? lo : (v > hi ? hi : v);
  return static_cast<uint8_t>(static_cast<int32_t>(v));
}

std::vector<float> test_floats(int64_t n, float scale) {
  std::normal_distribution<float> normal(0.f, 90.f * scale);
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    switch (g_rng() % 8) {
      case 0: v[i] = (static_cast<float>(static_cast<int>(g_rng() % 300) - 150) + 0.5f) * scale;
        break;  // a tie (scale is a power of two)
      case 1: {
        const float special[] = {NAN, INFINITY, -INFINITY, 3e38f, -3e38f, 0.f, -0.f, 1e-40f};
        v[i] = special[g_rng() % 8];
        break;
      }
      default: v[i] = normal(g_rng);
    }
  }
  return v;
}

// The vectorized quantizer computes x / scale without a division: against the division, on
// scales over twelve decades and values at, next to and between the rounding ties.
void test_quotients(const odla_ref::detail::QElementwise& vec) {
  std::uniform_real_distribution<float> decade(-6.f, 6.f), unit(-1.f, 1.f);
  const int64_t n = 4096;
  std::vector<float> x(static_cast<size_t>(n));
  std::vector<uint8_t> got(static_cast<size_t>(n)), want(static_cast<size_t>(n));
  for (int trial = 0; trial < 400; ++trial) {
    const float scale = std::pow(10.f, decade(g_rng));
    for (int64_t i = 0; i < n; ++i) {
      const float tie = (static_cast<float>(static_cast<int>(g_rng() % 400) - 200) + 0.5f) * scale;
      switch (i % 4) {
        case 0: x[i] = tie; break;
        case 1: x[i] = std::nextafter(tie, 1e30f); break;
        case 2: x[i] = std::nextafter(tie, -1e30f); break;
        default: x[i] = unit(g_rng) * 200.f * scale;
      }
    }
    const bool sy = trial % 2 == 1;
    const float zero = sy ? 0.f : 128.f;
    vec.quantize(x.data(), scale, zero, got.data(), sy, n);
    for (int64_t i = 0; i < n; ++i) want[i] = quantized(x[i] / scale, zero, sy);
    check("quotients-" + std::to_string(trial), got, want);
  }
}

void test_elementwise() {
  const odla_ref::detail::QElementwise* vec = odla_ref::detail::qelementwise_avx512();
  std::printf("elementwise %s\n", vec != nullptr ? "avx512" : "scalar");
  if (vec == nullptr) return;
  test_quotients(*vec);
  const int64_t lengths[] = {0, 1, 5, 15, 16, 17, 31, 33, 64, 1000};
  for (int64_t n : lengths) {
    for (bool sa : {false, true}) {
      for (bool sy : {false, true}) {
        const std::string tag = std::to_string(n) + (sa ? "-s" : "-u") + (sy ? "s" : "u");
        const float scale = 0.0625f, zero = sy ? -3.f : 131.f;
        // offset by 1 so that nothing is aligned
        std::vector<float> x = test_floats(n + 1, scale);
        std::vector<uint8_t> got(static_cast<size_t>(n)), want(static_cast<size_t>(n));
        vec->quantize(x.data() + 1, scale, zero, got.data(), sy, n);
        for (int64_t i = 0; i < n; ++i) want[i] = quantized(x[i + 1] / scale, zero, sy);
        check("quantize-" + tag, got, want);

        const std::vector<uint8_t> a = random_bytes(n + 1), b = random_bytes(n + 1);
        const int32_t az = sa ? 5 : 120;
        std::vector<float> deq(static_cast<size_t>(n));
        vec->dequantize(a.data() + 1, sa, az, 0.037f, deq.data(), n);
        bool same = true;
        for (int64_t i = 0; i < n; ++i)
          same = same && deq[i] == static_cast<float>(value(a[i + 1], sa) - az) * 0.037f;
        check("dequantize-" + tag, {same}, {true});

        for (bool relu : {false, true}) {
          odla_ref::QAddParams p;
          p.as = 0.021f, p.az = static_cast<float>(az), p.bs = 0.5f, p.bz = sa ? -7.f : 128.f;
          p.ys = 0.043f, p.yz = zero, p.lo = sy ? -128.f : 0.f, p.hi = sy ? 127.f : 255.f;
          p.relu = relu;
          vec->add(p, a.data() + 1, sa, b.data() + 1, !sa, got.data(), n);
          for (int64_t i = 0; i < n; ++i) {
            const float fa = (static_cast<float>(value(a[i + 1], sa)) - p.az) * p.as;
            const float fb = (static_cast<float>(value(b[i + 1], !sa)) - p.bz) * p.bs;
            float v = fa + fb;
            v = relu && v < 0.f ? 0.f : v;
            want[i] = quantized(v / p.ys, p.yz, sy);
          }
          check("add-" + tag + (relu ? "-relu" : ""), got, want);
        }
      }
    }
  }
}

}  // namespace

int main() {
  std::printf("kernel %s\n", odla_ref::detail::qgemm_kernel().name);
  for (const ConvCase& c : kConvCases) test_conv(c);
  test_matmul("matmul-1-row", 1, 200, 1000, false, false, false, false, true);
  test_matmul("matmul-odd", 7, 45, 37, true, false, false, true, true);
  test_matmul("matmul-k-lt-4", 33, 3, 70, false, true, true, false, false);
  test_matmul("matmul-zero-points", 65, 131, 33, true, false, true, false, true);
  test_matmul("matmul-uint8-b", 5, 64, 10, false, true, false, true, true);
  test_elementwise();
  std::printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
