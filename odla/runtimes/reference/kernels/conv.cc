#include "kernels/conv.h"

#include <cstring>

#include "kernels/aligned_buffer.h"
#include "kernels/conv_geometry.h"
#include "kernels/depthwise.h"
#include "kernels/gemm.h"
#include "kernels/parallel.h"

namespace odla_ref {
namespace detail {

void add_bias(float* out, int64_t batch, int64_t channels, int64_t plane,
              const float* bias) {
  if (bias == nullptr) return;
  parallel_for(batch * channels, [&](int64_t b, int64_t e) {
    for (int64_t nc = b; nc < e; ++nc) {
      float* o = out + nc * plane;
      const float v = bias[nc % channels];
      for (int64_t i = 0; i < plane; ++i) o[i] += v;
    }
  }, std::max<int64_t>(1, 16384 / std::max<int64_t>(plane, 1)));
}

void* scratch(void* given, size_t bytes) {
  if (given != nullptr) return given;
  thread_local AlignedBuffer buffer;
  return buffer.bytes(bytes);
}

}  // namespace detail

namespace {

using detail::Geometry3;

bool is_pointwise(const Geometry3& g) {
  for (int a = 0; a < 3; ++a) {
    if (g.k[a] != 1 || g.s[a] != 1 || g.pad[a] != 0 || g.in[a] != g.out[a])
      return false;
  }
  return true;
}

bool is_depthwise(const ConvParams& p) {
  return p.group > 1 && p.group == p.in_channels &&
         p.out_channels % p.in_channels == 0;
}

// One im2col row: tap (kz, ky, kx) of one input channel plane, sampled at
// every output position; positions in the padding read 0.
void im2col_row(const Geometry3& g, const float* x, int64_t tap, float* row) {
  const int64_t kx = tap % g.k[2], ky = tap / g.k[2] % g.k[1],
                kz = tap / (g.k[2] * g.k[1]);
  const int64_t offx = kx * g.d[2] - g.pad[2];
  int64_t lo, hi;
  detail::valid_range(g.out[2], g.in[2], g.s[2], offx, &lo, &hi);
  for (int64_t oz = 0; oz < g.out[0]; ++oz) {
    const int64_t iz = oz * g.s[0] + kz * g.d[0] - g.pad[0];
    for (int64_t oy = 0; oy < g.out[1]; ++oy, row += g.out[2]) {
      const int64_t iy = oy * g.s[1] + ky * g.d[1] - g.pad[1];
      if (iz < 0 || iz >= g.in[0] || iy < 0 || iy >= g.in[1] || lo >= hi) {
        std::memset(row, 0, sizeof(float) * g.out[2]);
        continue;
      }
      const float* xr = x + (iz * g.in[1] + iy) * g.in[2];
      std::memset(row, 0, sizeof(float) * lo);
      if (g.s[2] == 1) {
        std::memcpy(row + lo, xr + lo + offx, sizeof(float) * (hi - lo));
      } else {
        for (int64_t ox = lo; ox < hi; ++ox) row[ox] = xr[ox * g.s[2] + offx];
      }
      std::memset(row + hi, 0, sizeof(float) * (g.out[2] - hi));
    }
  }
}

// col[(c * taps + tap), out positions] for `channels` input planes at x.
void im2col(const Geometry3& g, const float* x, int64_t channels, float* col) {
  const int64_t taps = g.k_size(), cols = g.out_size();
  parallel_for(channels * taps, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r)
      im2col_row(g, x + r / taps * g.in_size(), r % taps, col + r * cols);
  }, std::max<int64_t>(1, 8192 / std::max<int64_t>(cols, 1)));
}

void conv_gemm(const ConvParams& p, const Geometry3& g, const float* input,
               const float* weight, float* output, float* col) {
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  const int64_t K = cin_g * g.k_size(), N = g.out_size();
  const bool direct = is_pointwise(g);
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t grp = 0; grp < p.group; ++grp) {
      const float* x = input + (n * p.in_channels + grp * cin_g) * g.in_size();
      if (!direct) im2col(g, x, cin_g, col);
      sgemm(false, false, cout_g, N, K, 1.f, weight + grp * cout_g * K, K,
            direct ? x : col, N, 0.f,
            output + (n * p.out_channels + grp * cout_g) * N, N);
    }
  }
}

}  // namespace

size_t conv_workspace_bytes(const ConvParams& p) {
  const Geometry3 g = detail::widen(p);
  if (is_depthwise(p) || is_pointwise(g)) return 0;
  return sizeof(float) * static_cast<size_t>(p.in_channels / p.group *
                                             g.k_size() * g.out_size());
}

void conv(const ConvParams& p, const float* input, const float* weight,
          const float* bias, float* output, void* workspace) {
  if (is_depthwise(p)) {
    detail::depthwise_conv(p, input, weight, bias, output);
    return;
  }
  const Geometry3 g = detail::widen(p);
  float* col = static_cast<float*>(
      detail::scratch(workspace, conv_workspace_bytes(p)));
  conv_gemm(p, g, input, weight, output, col);
  detail::add_bias(output, p.batch, p.out_channels, g.out_size(), bias);
}

}  // namespace odla_ref
