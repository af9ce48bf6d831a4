#include "kernels/conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/aligned_buffer.h"
#include "kernels/conv_geometry.h"
#include "kernels/depthwise.h"
#include "kernels/gemm.h"
#include "kernels/gemm_panels.h"
#include "kernels/im2col_panels.h"
#include "kernels/parallel.h"
#include "kernels/winograd.h"

namespace odla_ref {
namespace detail {

void add_bias(float* out, int64_t batch, int64_t channels, int64_t plane,
              const float* bias, const Activation& act) {
  if (bias == nullptr && !act.active()) return;
  const Activation f = act;
  const bool clamp = act.active();
  parallel_for(batch * channels, [&](int64_t b, int64_t e) {
    for (int64_t nc = b; nc < e; ++nc) {
      float* o = out + nc * plane;
      const float v = bias != nullptr ? bias[nc % channels] : 0.f;
      if (clamp)
        for (int64_t i = 0; i < plane; ++i) o[i] = f(o[i] + v);
      else
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

bool unit_strides(const Geometry3& g) {
  return g.s[0] == 1 && g.s[1] == 1 && g.s[2] == 1;
}

// Stride-1 convolution as a GEMM over a zero-padded copy of the input: with
// padded extents P and output positions laid out on the padded grid
// (j = (oz * P1 + oy) * P2 + ox), row (c, kz, ky, kx) of the im2col matrix is
// the padded planes shifted by (c * |P| + (kz*d0 * P1 + ky*d1) * P2 + kx*d2).
// The GEMM writes that wide grid to scratch; the valid part is then copied.
struct Shifted {
  int64_t P[3];  // padded extents
  int64_t n_wide;  // columns of the wide output grid
  int64_t plane() const { return P[0] * P[1] * P[2]; }
};

Shifted shifted_layout(const Geometry3& g) {
  Shifted s;
  for (int a = 0; a < 3; ++a)
    s.P[a] = std::max(g.in[a] + g.pad[a], g.out[a] + (g.k[a] - 1) * g.d[a]);
  s.n_wide = ((g.out[0] - 1) * s.P[1] + g.out[1] - 1) * s.P[2] + g.out[2];
  return s;
}

void pad_planes(const Geometry3& g, const Shifted& s, const float* x,
                int64_t channels, float* xp) {
  parallel_for(channels, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) {
      float* dst = xp + c * s.plane();
      std::fill(dst, dst + s.plane(), 0.f);
      const float* src = x + c * g.in_size();
      for (int64_t z = 0; z < g.in[0]; ++z)
        for (int64_t y = 0; y < g.in[1]; ++y)
          std::memcpy(dst + ((z + g.pad[0]) * s.P[1] + y + g.pad[1]) * s.P[2] + g.pad[2],
                      src + (z * g.in[1] + y) * g.in[2], sizeof(float) * g.in[2]);
    }
  });
}

// y[m] = act(wide[m] + bias[m]) on the valid output positions.
void unpad_output(const Geometry3& g, const Shifted& s, const float* wide,
                  int64_t rows, const float* bias, const detail::Activation& act, float* y) {
  const detail::Activation f = act;
  const bool clamp = act.active();
  parallel_for(rows, [&](int64_t b, int64_t e) {
    for (int64_t m = b; m < e; ++m) {
      const float v = bias ? bias[m] : 0.f;
      float* out = y + m * g.out_size();
      for (int64_t z = 0; z < g.out[0]; ++z)
        for (int64_t yy = 0; yy < g.out[1]; ++yy, out += g.out[2]) {
          const float* src = wide + m * s.n_wide + (z * s.P[1] + yy) * s.P[2];
          if (clamp)
            for (int64_t x = 0; x < g.out[2]; ++x) out[x] = f(src[x] + v);
          else
            for (int64_t x = 0; x < g.out[2]; ++x) out[x] = src[x] + v;
        }
    }
  });
}

// y[cout, N] = act(W[cout, K] * B + bias per row) with W packed (pw) or as given
// (w); y must be dense (ldy == N) when W is not packed and there is a bias or act.
void weights_times(const detail::PackedA* pw, const float* w, int64_t cout, int64_t N, int64_t K,
                   const detail::PanelSource& b, const float* bias, const detail::Activation& act,
                   float* y, int64_t ldy) {
  if (pw != nullptr) {
    detail::sgemm_packed(*pw, N, b, y, ldy, bias, act);
  } else {
    detail::sgemm_panels(false, cout, N, K, 1.f, w, K, b, 0.f, y, ldy);
    detail::add_bias(y, 1, cout, N, bias, act);
  }
}

void conv_shifted(const Geometry3& g, int64_t cin, int64_t cout, const float* x,
                  const float* w, const detail::PackedA* pw, const float* bias,
                  const detail::Activation& act, float* y, float* ws) {
  const Shifted s = shifted_layout(g);
  float* xp = ws;
  float* wide = ws + cin * s.plane();
  pad_planes(g, s, x, cin, xp);
  std::vector<int64_t> offsets;
  for (int64_t c = 0; c < cin; ++c)
    for (int64_t kz = 0; kz < g.k[0]; ++kz)
      for (int64_t ky = 0; ky < g.k[1]; ++ky)
        for (int64_t kx = 0; kx < g.k[2]; ++kx)
          offsets.push_back(c * s.plane() + (kz * g.d[0] * s.P[1] + ky * g.d[1]) * s.P[2] + kx * g.d[2]);
  const int64_t K = cin * g.k_size();
  weights_times(pw, w, cout, s.n_wide, K, detail::ShiftedPanels(xp, std::move(offsets)), nullptr,
                {}, wide, s.n_wide);
  unpad_output(g, s, wide, cout, bias, act, y);
}

}  // namespace

size_t conv_workspace_bytes(const ConvParams& p) {
  const Geometry3 g = detail::widen(p);
  if (detail::winograd_applies(p)) return detail::winograd_workspace_bytes(p);
  if (is_depthwise(p) || is_pointwise(g) || !unit_strides(g)) return 0;
  const Shifted s = shifted_layout(g);
  return sizeof(float) * static_cast<size_t>(p.in_channels / p.group * s.plane() +
                                             p.out_channels / p.group * s.n_wide);
}

ConvWeights pack_conv_weights(const ConvParams& p, const float* weight) {
  ConvWeights packed;
  if (is_depthwise(p)) return packed;
  if (detail::winograd_applies(p)) {
    packed.winograd = detail::winograd_pack_weights(p, weight);
    return packed;
  }
  const int64_t cout_g = p.out_channels / p.group;
  const int64_t K = p.in_channels / p.group * detail::widen(p).k_size();
  for (int64_t grp = 0; grp < p.group; ++grp)
    packed.groups.push_back(detail::pack_a_matrix(false, cout_g, K, 1.f, weight + grp * cout_g * K, K));
  return packed;
}

void conv(const ConvParams& p, const float* input, const float* weight,
          const float* bias, float* output, void* workspace, const ConvWeights* packed,
          const detail::Activation& act) {
  if (is_depthwise(p)) {
    detail::depthwise_conv(p, input, weight, bias, output);
    detail::add_bias(output, p.batch, p.out_channels, detail::widen(p).out_size(), nullptr, act);
    return;
  }
  const Geometry3 g = detail::widen(p);
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  const int64_t K = cin_g * g.k_size(), N = g.out_size();
  float* ws = static_cast<float*>(detail::scratch(workspace, conv_workspace_bytes(p)));
  if (detail::winograd_applies(p)) {
    std::vector<detail::PackedA> own;
    if (packed == nullptr || packed->winograd.empty()) own = detail::winograd_pack_weights(p, weight);
    const std::vector<detail::PackedA>& u = own.empty() ? packed->winograd : own;
    for (int64_t n = 0; n < p.batch; ++n)
      detail::winograd_conv(p, input + n * p.in_channels * g.in_size(), u, bias, act,
                            output + n * p.out_channels * N, ws);
    return;
  }
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t grp = 0; grp < p.group; ++grp) {
      const float* x = input + (n * p.in_channels + grp * cin_g) * g.in_size();
      const float* w = weight + grp * cout_g * K;
      const detail::PackedA* pw = packed != nullptr ? &packed->groups[grp] : nullptr;
      const float* b = bias ? bias + grp * cout_g : nullptr;
      float* y = output + (n * p.out_channels + grp * cout_g) * N;
      if (is_pointwise(g)) {
        if (pw != nullptr && N > 1) {
          detail::sgemm_packed(*pw, N, x, N, y, N, b, act);
        } else {
          sgemm(false, false, cout_g, N, K, 1.f, w, K, x, N, 0.f, y, N);
          detail::add_bias(y, 1, cout_g, N, b, act);
        }
      } else if (unit_strides(g)) {
        conv_shifted(g, cin_g, cout_g, x, w, pw, b, act, y, ws);
      } else {
        weights_times(pw, w, cout_g, N, K, detail::Im2colPanels(g, x), b, act, y, N);
      }
    }
  }
}

}  // namespace odla_ref
