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

// Output positions [j0, j1) of one im2col row: tap (kz, ky, kx) of one input
// channel plane x; positions in the padding read 0.
void im2col_row(const Geometry3& g, const float* x, int64_t tap, int64_t j0,
                int64_t j1, float* row) {
  const int64_t kx = tap % g.k[2], ky = tap / g.k[2] % g.k[1],
                kz = tap / (g.k[2] * g.k[1]);
  const int64_t offx = kx * g.d[2] - g.pad[2];
  int64_t lo, hi;
  detail::valid_range(g.out[2], g.in[2], g.s[2], offx, &lo, &hi);
  for (int64_t j = j0; j < j1;) {  // one output row segment at a time
    const int64_t ox0 = j % g.out[2], oy = j / g.out[2] % g.out[1],
                  oz = j / (g.out[2] * g.out[1]);
    const int64_t ox1 = std::min(g.out[2], ox0 + j1 - j);
    const int64_t iz = oz * g.s[0] + kz * g.d[0] - g.pad[0];
    const int64_t iy = oy * g.s[1] + ky * g.d[1] - g.pad[1];
    float* r = row + (j - j0) - ox0;  // r[ox] is this segment's slot for ox
    j += ox1 - ox0;
    const int64_t a = std::max(lo, ox0), b = std::max(a, std::min(hi, ox1));
    if (iz < 0 || iz >= g.in[0] || iy < 0 || iy >= g.in[1] || a == b) {
      std::fill(r + ox0, r + ox1, 0.f);
      continue;
    }
    const float* xr = x + (iz * g.in[1] + iy) * g.in[2] + offx;
    std::fill(r + ox0, r + a, 0.f);
    if (g.s[2] == 1) {
      std::memcpy(r + a, xr + a, sizeof(float) * (b - a));
    } else {
      for (int64_t ox = a; ox < b; ++ox) r[ox] = xr[ox * g.s[2]];
    }
    std::fill(r + b, r + ox1, 0.f);
  }
}

// col[c * taps + tap, j - j0] for j in [j0, j1), `channels` planes at x.
void im2col(const Geometry3& g, const float* x, int64_t channels, int64_t j0,
            int64_t j1, float* col) {
  const int64_t taps = g.k_size(), w = j1 - j0;
  for (int64_t r = 0; r < channels * taps; ++r)
    im2col_row(g, x + r / taps * g.in_size(), r % taps, j0, j1, col + r * w);
}

// How conv_gemm splits the work. Chunked: each of `tasks` threads builds the
// im2col matrix for blocks of `cols` output positions (sized to stay in L2)
// and runs its own sgemm; otherwise the whole matrix is built, then one
// multi-threaded sgemm runs. Pointwise convs need no im2col.
struct Plan {
  int64_t K, N, cols = 0, tasks = 1;
  bool direct;
  size_t floats() const { return direct ? 0 : static_cast<size_t>(cols ? tasks * K * cols : K * N); }
};

Plan make_plan(const ConvParams& p, const Geometry3& g) {
  Plan pl;
  pl.K = p.in_channels / p.group * g.k_size();
  pl.N = g.out_size();
  pl.direct = is_pointwise(g);
  const int64_t cols = std::max<int64_t>(64, (int64_t{1} << 19) / pl.K / 16 * 16);
  const int64_t threads = num_threads();
  if (!pl.direct && pl.N >= 2 * threads * cols) pl.cols = cols, pl.tasks = threads;
  return pl;
}

void gemm_chunked(const Plan& pl, const Geometry3& g, const float* x,
                  const float* w, int64_t M, const float* bias, float* y,
                  float* ws) {
  const int64_t blocks = (pl.N + pl.cols - 1) / pl.cols;
  parallel_for(pl.tasks, [&](int64_t tb, int64_t te) {
    for (int64_t t = tb; t < te; ++t) {
      float* col = ws + t * pl.K * pl.cols;
      for (int64_t blk = t; blk < blocks; blk += pl.tasks) {
        const int64_t j0 = blk * pl.cols, j1 = std::min(pl.N, j0 + pl.cols);
        im2col(g, x, pl.K / g.k_size(), j0, j1, col);
        sgemm(false, false, M, j1 - j0, pl.K, 1.f, w, pl.K, col, j1 - j0, 0.f,
              y + j0, pl.N);
        for (int64_t m = 0; bias && m < M; ++m)
          for (int64_t j = j0; j < j1; ++j) y[m * pl.N + j] += bias[m];
      }
    }
  });
}

void conv_gemm(const ConvParams& p, const Geometry3& g, const float* input,
               const float* weight, const float* bias, float* output,
               float* ws) {
  const Plan pl = make_plan(p, g);
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t grp = 0; grp < p.group; ++grp) {
      const float* x = input + (n * p.in_channels + grp * cin_g) * g.in_size();
      const float* w = weight + grp * cout_g * pl.K;
      const float* b = bias ? bias + grp * cout_g : nullptr;
      float* y = output + (n * p.out_channels + grp * cout_g) * pl.N;
      if (pl.cols) {
        gemm_chunked(pl, g, x, w, cout_g, b, y, ws);
        continue;
      }
      if (!pl.direct) {
        const int64_t taps = g.k_size();
        parallel_for(cin_g * taps, [&](int64_t rb, int64_t re) {
          for (int64_t r = rb; r < re; ++r)
            im2col_row(g, x + r / taps * g.in_size(), r % taps, 0, pl.N, ws + r * pl.N);
        });
      }
      sgemm(false, false, cout_g, pl.N, pl.K, 1.f, w, pl.K, pl.direct ? x : ws,
            pl.N, 0.f, y, pl.N);
      detail::add_bias(y, 1, cout_g, pl.N, b);
    }
  }
}

}  // namespace

size_t conv_workspace_bytes(const ConvParams& p) {
  const Geometry3 g = detail::widen(p);
  if (is_depthwise(p)) return 0;
  return sizeof(float) * make_plan(p, g).floats();
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
  conv_gemm(p, g, input, weight, bias, output, col);
}

}  // namespace odla_ref
