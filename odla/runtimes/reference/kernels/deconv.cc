#include <algorithm>

#include "kernels/conv.h"
#include "kernels/conv_geometry.h"
#include "kernels/gemm.h"
#include "kernels/parallel.h"

namespace odla_ref {
namespace {

using detail::Geometry3;

// Scatter-adds one col row (kernel tap `tap`, one value per input position)
// into the output plane: input i lands on i * stride + tap * dilation - pad.
void col2im_row(const Geometry3& g, const float* row, int64_t tap, float* out) {
  const int64_t kx = tap % g.k[2], ky = tap / g.k[2] % g.k[1],
                kz = tap / (g.k[2] * g.k[1]);
  const int64_t offx = kx * g.d[2] - g.pad[2];
  // Input positions whose output x = ix * s + offx lies in [0, out[2]).
  int64_t lo, hi;
  detail::valid_range(g.in[2], g.out[2], g.s[2], offx, &lo, &hi);
  for (int64_t iz = 0; iz < g.in[0]; ++iz) {
    const int64_t oz = iz * g.s[0] + kz * g.d[0] - g.pad[0];
    for (int64_t iy = 0; iy < g.in[1]; ++iy, row += g.in[2]) {
      const int64_t oy = iy * g.s[1] + ky * g.d[1] - g.pad[1];
      if (oz < 0 || oz >= g.out[0] || oy < 0 || oy >= g.out[1]) continue;
      float* o = out + (oz * g.out[1] + oy) * g.out[2];
      for (int64_t ix = lo; ix < hi; ++ix) o[ix * g.s[2] + offx] += row[ix];
    }
  }
}

// out[c] = bias (or 0) + scatter of the col rows of channel c, per channel.
void col2im(const Geometry3& g, const float* col, int64_t channels,
            const float* bias, float* out) {
  const int64_t taps = g.k_size(), rows = g.in_size(), plane = g.out_size();
  parallel_for(channels, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) {
      float* o = out + c * plane;
      std::fill(o, o + plane, bias ? bias[c] : 0.f);
      for (int64_t t = 0; t < taps; ++t)
        col2im_row(g, col + (c * taps + t) * rows, t, o);
    }
  });
}

}  // namespace

size_t deconv_workspace_bytes(const ConvParams& p) {
  const Geometry3 g = detail::widen(p);
  return sizeof(float) * static_cast<size_t>(p.out_channels / p.group *
                                             g.k_size() * g.in_size());
}

void deconv(const ConvParams& p, const float* input, const float* weight,
            const float* bias, float* output, void* workspace) {
  const Geometry3 g = detail::widen(p);
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  const int64_t M = cout_g * g.k_size(), N = g.in_size();
  float* col = static_cast<float*>(
      detail::scratch(workspace, deconv_workspace_bytes(p)));
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t grp = 0; grp < p.group; ++grp) {
      // col[M, N] = W_g^T X_g with W_g stored [cin_g, M].
      sgemm(true, false, M, N, cin_g, 1.f, weight + grp * cin_g * M, M,
            input + (n * p.in_channels + grp * cin_g) * N, N, 0.f, col, N);
      col2im(g, col, cout_g, bias ? bias + grp * cout_g : nullptr,
             output + (n * p.out_channels + grp * cout_g) * g.out_size());
    }
  }
}

}  // namespace odla_ref
