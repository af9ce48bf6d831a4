#include "kernels/winograd.h"

#include <algorithm>
#include <vector>

#include "kernels/parallel.h"

namespace odla_ref {
namespace detail {
namespace {

constexpr int kXi = 16;  // 4x4 transformed tile

struct Tiles {
  int64_t h, w, oh, ow, pad_h, pad_w;  // input, output, front pads
  int64_t th, tw;                      // tile rows / columns (2x2 outputs each)
  int64_t count() const { return th * tw; }
};

Tiles tiles_of(const ConvParams& p) {
  Tiles t{p.in_dims[0], p.in_dims[1], p.out_dims[0], p.out_dims[1], p.pads_front[0],
          p.pads_front[1], 0, 0};
  t.th = (t.oh + 1) / 2;
  t.tw = (t.ow + 1) / 2;
  return t;
}

// V[xi][c][t] = (B^T d B)[xi] for every 4x4 input window d of channel c.
void transform_input(const Tiles& t, int64_t cin, const float* x, float* v) {
  const int64_t T = t.count(), row_len = 2 * t.tw + 2;
  parallel_for(cin, [&](int64_t c0, int64_t c1) {
    std::vector<float> rows(static_cast<size_t>(4 * row_len));
    for (int64_t c = c0; c < c1; ++c) {
      const float* plane = x + c * t.h * t.w;
      for (int64_t ty = 0; ty < t.th; ++ty) {
        // The four input rows of this tile row, zero-padded, from x = -pad_w.
        for (int i = 0; i < 4; ++i) {
          float* r = rows.data() + i * row_len;
          const int64_t iy = 2 * ty - t.pad_h + i;
          std::fill(r, r + row_len, 0.f);
          if (iy < 0 || iy >= t.h) continue;
          const int64_t lo = std::max<int64_t>(0, t.pad_w),
                        hi = std::min<int64_t>(row_len, t.w + t.pad_w);
          for (int64_t j = lo; j < hi; ++j) r[j] = plane[iy * t.w + j - t.pad_w];
        }
        const float* __restrict r0 = rows.data();
        const float* __restrict r1 = r0 + row_len;
        const float* __restrict r2 = r1 + row_len;
        const float* __restrict r3 = r2 + row_len;
        float* __restrict out = v + c * T + ty * t.tw;
        const int64_t stride = cin * T;
        for (int64_t tx = 0; tx < t.tw; ++tx) {
          float b[4][4];  // B^T d
          for (int j = 0; j < 4; ++j) {
            const int64_t k = 2 * tx + j;
            b[0][j] = r0[k] - r2[k];
            b[1][j] = r1[k] + r2[k];
            b[2][j] = r2[k] - r1[k];
            b[3][j] = r1[k] - r3[k];
          }
          for (int i = 0; i < 4; ++i) {
            out[(i * 4 + 0) * stride + tx] = b[i][0] - b[i][2];
            out[(i * 4 + 1) * stride + tx] = b[i][1] + b[i][2];
            out[(i * 4 + 2) * stride + tx] = b[i][2] - b[i][1];
            out[(i * 4 + 3) * stride + tx] = b[i][1] - b[i][3];
          }
        }
      }
    }
  });
}

// y[co] = act(A^T m A + bias) over every tile, m[xi] = M[xi][co][t].
void transform_output(const Tiles& t, int64_t cout, const float* m, const float* bias,
                      const Activation& act, float* y) {
  const int64_t T = t.count(), stride = cout * T;
  const Activation f = act;
  const bool clamp = act.active();
  parallel_for(cout, [&](int64_t c0, int64_t c1) {
    for (int64_t co = c0; co < c1; ++co) {
      const float bv = bias != nullptr ? bias[co] : 0.f;
      float* plane = y + co * t.oh * t.ow;
      for (int64_t ty = 0; ty < t.th; ++ty) {
        const float* src = m + co * T + ty * t.tw;
        const int64_t oy = 2 * ty;
        float* y0 = plane + oy * t.ow;
        float* y1 = oy + 1 < t.oh ? y0 + t.ow : nullptr;
        for (int64_t tx = 0; tx < t.tw; ++tx) {
          float s[2][4];  // A^T m
          for (int j = 0; j < 4; ++j) {
            const float m0 = src[(0 * 4 + j) * stride + tx], m1 = src[(1 * 4 + j) * stride + tx],
                        m2 = src[(2 * 4 + j) * stride + tx], m3 = src[(3 * 4 + j) * stride + tx];
            s[0][j] = m0 + m1 + m2;
            s[1][j] = m1 - m2 - m3;
          }
          float o[2][2];
          for (int i = 0; i < 2; ++i) {
            o[i][0] = s[i][0] + s[i][1] + s[i][2] + bv;
            o[i][1] = s[i][1] - s[i][2] - s[i][3] + bv;
            if (clamp) o[i][0] = f(o[i][0]), o[i][1] = f(o[i][1]);
          }
          const int64_t ox = 2 * tx;
          const bool two = ox + 1 < t.ow;
          y0[ox] = o[0][0];
          if (two) y0[ox + 1] = o[0][1];
          if (y1 != nullptr) {
            y1[ox] = o[1][0];
            if (two) y1[ox + 1] = o[1][1];
          }
        }
      }
    }
  });
}

}  // namespace

bool winograd_applies(const ConvParams& p) {
  // Few channels leave the transforms (memory-bound, O(C) per tile) as costly
  // as the GEMMs they shrink (measured: 64 channels at 56x56 is slower, 128
  // at 28x28 even, 256 at 14x14 1.6x faster than the direct GEMM).
  if (p.spatial != 2 || p.group != 1 || p.in_channels < 128 || p.out_channels < 128)
    return false;
  for (int a = 0; a < 2; ++a) {
    if (p.kernel[a] != 3 || p.strides[a] != 1 || p.dilations[a] != 1) return false;
    if (p.out_dims[a] < 14) return false;  // GEMMs too narrow (7x7: 16 columns)
  }
  return true;
}

size_t winograd_workspace_bytes(const ConvParams& p) {
  const int64_t T = tiles_of(p).count();
  return sizeof(float) * static_cast<size_t>(kXi * T * (p.in_channels + p.out_channels));
}

std::vector<PackedA> winograd_pack_weights(const ConvParams& p, const float* weight) {
  const int64_t cin = p.in_channels, cout = p.out_channels;
  std::vector<float> u(static_cast<size_t>(kXi * cout * cin));
  for (int64_t co = 0; co < cout; ++co)
    for (int64_t ci = 0; ci < cin; ++ci) {
      const float* g = weight + (co * cin + ci) * 9;
      float t[4][3];  // G g
      for (int j = 0; j < 3; ++j) {
        t[0][j] = g[j];
        t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
        t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
        t[3][j] = g[6 + j];
      }
      for (int i = 0; i < 4; ++i) {
        const float r[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]),
                            0.5f * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
        for (int j = 0; j < 4; ++j) u[((i * 4 + j) * cout + co) * cin + ci] = r[j];
      }
    }
  std::vector<PackedA> packed;
  for (int xi = 0; xi < kXi; ++xi)
    packed.push_back(pack_a_matrix(false, cout, cin, 1.f, u.data() + xi * cout * cin, cin));
  return packed;
}

void winograd_conv(const ConvParams& p, const float* x, const std::vector<PackedA>& u,
                   const float* bias, const Activation& act, float* y, float* ws) {
  const Tiles t = tiles_of(p);
  const int64_t T = t.count(), cin = p.in_channels, cout = p.out_channels;
  float* v = ws;
  float* m = ws + kXi * cin * T;
  transform_input(t, cin, x, v);
  // The 16 GEMMs side by side (each one runs serially inside the pool).
  parallel_for(kXi, [&](int64_t b, int64_t e) {
    for (int64_t xi = b; xi < e; ++xi)
      sgemm_packed(u[xi], T, v + xi * cin * T, T, m + xi * cout * T, T);
  });
  transform_output(t, cout, m, bias, act, y);
}

}  // namespace detail
}  // namespace odla_ref
