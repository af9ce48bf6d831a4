#include "kernels/qlinear.h"

#include <algorithm>
#include <cstring>

#include "kernels/conv_geometry.h"
#include "kernels/parallel.h"

namespace odla_ref {
namespace {

using detail::Geometry3;
using detail::widen;

size_t align64(size_t bytes) { return (bytes + 63) / 64 * 64; }

int64_t depth(const ConvParams& p) {
  return p.in_channels / p.group * widen(p).k_size();
}

// Padded extent a convolution reads along axis a.
int64_t extent(const Geometry3& g, int a) {
  return (g.out[a] - 1) * g.s[a] + (g.k[a] - 1) * g.d[a] + 1;
}

QConvViews plan_views(const Geometry3& g) {
  QConvViews v;
  for (int a = 0; a < 3; ++a)
    v.copy = v.copy || g.s[a] != 1 || g.pad[a] != 0 || extent(g, a) > g.in[a];
  v.dq = v.copy ? (extent(g, 0) + g.s[0] - 1) / g.s[0] : g.in[0];
  v.hq = v.copy ? (extent(g, 1) + g.s[1] - 1) / g.s[1] : g.in[1];
  v.wq = v.copy ? (extent(g, 2) + g.s[2] - 1) / g.s[2] : g.in[2];
  for (int64_t t = 0; t < g.k_size(); ++t) {
    const int64_t kd = t / (g.k[1] * g.k[2]), ky = t / g.k[2] % g.k[1], kx = t % g.k[2];
    const int64_t zd = kd * g.d[0], zh = ky * g.d[1], zw = kx * g.d[2];
    const int64_t phase = ((zd % g.s[0]) * g.s[1] + zh % g.s[1]) * g.s[2] + zw % g.s[2];
    auto at = std::find(v.phases.begin(), v.phases.end(), phase);
    if (at == v.phases.end()) at = v.phases.insert(at, static_cast<int>(phase));
    v.tap_phase.push_back(static_cast<int>(at - v.phases.begin()));
    v.tap_shift.push_back(((zd / g.s[0]) * v.hq + zh / g.s[1]) * v.wq + zw / g.s[2]);
  }
  return v;
}

}  // namespace

QConvPlan plan_qconv(const ConvParams& p, bool x_signed, int32_t x_zero, const uint8_t* weight,
                     bool w_unsigned, const std::vector<int32_t>& w_zero,
                     const std::vector<float>& mul, bool y_signed, int32_t y_zero) {
  QConvPlan q;
  q.p = p;
  q.x_signed = x_signed;
  q.y_signed = y_signed;
  q.x_zero = x_signed ? x_zero + 128 : x_zero;
  q.x_pad = x_zero;
  q.y_zero = static_cast<float>(y_zero);
  q.lo = y_signed ? -128.f : 0.f;
  q.hi = y_signed ? 127.f : 255.f;
  q.mul = mul;
  const int64_t cout = p.out_channels, cout_g = cout / p.group, k = depth(p);
  q.direct = p.group > 1 && cout_g < 4;
  q.w_zero.resize(static_cast<size_t>(cout));
  for (int64_t co = 0; co < cout; ++co) {
    q.w_zero[co] = w_unsigned ? w_zero[co] - 128 : w_zero[co];
    q.any_w_zero = q.any_w_zero || q.w_zero[co] != 0;
  }
  if (q.direct) {
    q.centered.resize(static_cast<size_t>(cout * k));
    for (int64_t co = 0; co < cout; ++co)
      for (int64_t i = 0; i < k; ++i) {
        const uint8_t b = weight[co * k + i];
        const int32_t w = w_unsigned ? b : static_cast<int8_t>(b);
        q.centered[co * k + i] = static_cast<int16_t>(w - w_zero[co]);
      }
    return q;
  }
  q.views = plan_views(widen(p));
  q.offset.resize(static_cast<size_t>(cout));
  const uint8_t flip = w_unsigned ? 0x80 : 0;
  for (int64_t g = 0; g < p.group; ++g) {
    q.groups.push_back(qpack_a(weight + g * cout_g * k, cout_g, k, k, 1, flip));
    for (int64_t r = 0; r < cout_g; ++r) {
      const int64_t co = g * cout_g + r;
      const uint32_t xz = static_cast<uint32_t>(q.x_zero);
      q.offset[co] = static_cast<int32_t>(
          0u - xz * static_cast<uint32_t>(q.groups.back().row_sums[r]) +
          static_cast<uint32_t>(k) * xz * static_cast<uint32_t>(q.w_zero[co]));
    }
  }
  return q;
}

namespace {

// The workspace of a GEMM convolution: offsets (C_out int32), qgemm's scratch,
// the GEMM's row pointers (K) and the views' volumes (when copied).
struct QConvScratch {
  int32_t* offset;
  void* gemm;
  const uint8_t** rows;
  uint8_t* volumes;
};

size_t views_bytes(const QConvPlan& q) {
  const QConvViews& v = q.views;
  if (!v.copy) return 0;
  const int64_t cg = q.p.in_channels / q.p.group;
  return static_cast<size_t>(cg * static_cast<int64_t>(v.phases.size()) * v.volume());
}

size_t scratch_layout(const QConvPlan& q, uint8_t* base, QConvScratch* s) {
  const int64_t cout_g = q.p.out_channels / q.p.group;
  const size_t sizes[] = {align64(4 * static_cast<size_t>(q.p.out_channels)),
                          align64(qgemm_workspace_bytes(cout_g)),
                          align64(sizeof(uint8_t*) * static_cast<size_t>(depth(q.p))),
                          align64(views_bytes(q))};
  if (s != nullptr) {
    s->offset = reinterpret_cast<int32_t*>(base);
    s->gemm = base + sizes[0];
    s->rows = reinterpret_cast<const uint8_t**>(base + sizes[0] + sizes[1]);
    s->volumes = base + sizes[0] + sizes[1] + sizes[2];
  }
  return sizes[0] + sizes[1] + sizes[2] + sizes[3];
}

}  // namespace

size_t qconv_workspace_bytes(const QConvPlan& q) {
  return q.direct ? 0 : scratch_layout(q, nullptr, nullptr);
}

namespace {

// dst[x] = src[x * s], padded positions `pad`: one row of a phase volume whose input row is
// src (positions x with 0 <= x * s + off < in come from src[x * s + off]).
void copy_row(const uint8_t* src, int64_t in, int64_t s, int64_t off, int64_t w, uint8_t pad,
              uint8_t* dst) {
  int64_t lo, hi;
  detail::valid_range(w, in, s, off, &lo, &hi);
  std::memset(dst, pad, static_cast<size_t>(lo));
  if (s == 1) {
    std::memcpy(dst + lo, src + lo + off, static_cast<size_t>(hi - lo));
  } else if (s == 2) {  // a constant stride: the loop vectorizes (even bytes)
    const uint8_t* from = src + off;
    for (int64_t x = lo; x < hi; ++x) dst[x] = from[2 * x];
  } else {
    for (int64_t x = lo; x < hi; ++x) dst[x] = src[x * s + off];
  }
  std::memset(dst + hi, pad, static_cast<size_t>(w - hi));
}

// The phase volumes of `channels` input channels, [channel][phase][dq][hq][wq].
void copy_views(const Geometry3& g, const QConvViews& v, int64_t channels, const uint8_t* x,
                uint8_t pad, uint8_t* dst) {
  const int64_t phases = static_cast<int64_t>(v.phases.size());
  parallel_for(channels * phases, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const int phase = v.phases[static_cast<size_t>(c % phases)];
      const int64_t pw = phase % g.s[2], ph = phase / g.s[2] % g.s[1], pd = phase / g.s[2] / g.s[1];
      const uint8_t* xc = x + (c / phases) * g.in_size();
      uint8_t* out = dst + c * v.volume();
      for (int64_t z = 0; z < v.dq; ++z) {
        const int64_t iz = z * g.s[0] + pd - g.pad[0];
        for (int64_t y = 0; y < v.hq; ++y, out += v.wq) {
          const int64_t iy = y * g.s[1] + ph - g.pad[1];
          if (iz < 0 || iz >= g.in[0] || iy < 0 || iy >= g.in[1])
            std::memset(out, pad, static_cast<size_t>(v.wq));
          else
            copy_row(xc + (iz * g.in[1] + iy) * g.in[2], g.in[2], g.s[2], pw - g.pad[2], v.wq,
                     pad, out);
        }
      }
    }
  }, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, v.volume())));
}

// The GEMM's row pointers for output depth od: row ci * taps + t is channel ci's volume of
// tap t's phase, shifted.
void view_rows(const QConvViews& v, int64_t channels, int64_t taps, const uint8_t* volumes,
               int64_t od, const uint8_t** rows) {
  const int64_t phases = static_cast<int64_t>(v.phases.size());
  for (int64_t ci = 0; ci < channels; ++ci)
    for (int64_t t = 0; t < taps; ++t)
      rows[ci * taps + t] = volumes + (ci * phases + v.tap_phase[t]) * v.volume() +
                            od * v.hq * v.wq + v.tap_shift[t];
}

// One batch item and group of a GEMM convolution: x its input channels, y its output ones.
void qconv_gemm(const QConvPlan& q, const QConvScratch& s, int64_t grp, const uint8_t* x,
                uint8_t* y) {
  const ConvParams& p = q.p;
  const Geometry3 g = widen(p);
  const QConvViews& v = q.views;
  const int64_t cg = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  const int64_t plane = g.out[1] * g.out[2];
  const uint8_t* volumes = x;
  if (v.copy) {
    copy_views(g, v, cg, x, static_cast<uint8_t>(q.x_pad), s.volumes);
    volumes = s.volumes;
  }
  QSourceB b;
  b.rows = s.rows;
  b.flip = q.x_signed ? 0x80 : 0;
  QOutput o;
  o.y_signed = q.y_signed;
  o.row_stride = g.out_size();
  o.col_run = v.wq == g.out[2] ? 0 : v.wq;
  o.col_keep = g.out[2];
  o.row_offset = s.offset + grp * cout_g;
  o.row_zero = q.any_w_zero ? q.w_zero.data() + grp * cout_g : nullptr;
  o.row_mul = q.mul.data() + grp * cout_g;
  o.y_zero = q.y_zero;
  o.lo = q.lo;
  o.hi = q.hi;
  for (int64_t od = 0; od < g.out[0]; ++od) {
    view_rows(v, cg, g.k_size(), volumes, od, s.rows);
    o.y = y + od * plane;
    qgemm(q.groups[static_cast<size_t>(grp)], b, (g.out[1] - 1) * v.wq + g.out[2], o, s.gemm);
  }
}

// a[ox] += (src[ox * s] - xz) * w for ox in [lo, hi), wrapping; S > 0: s is S.
template <int S, class X>
void direct_row(int32_t* __restrict a, const X* __restrict src, int64_t lo, int64_t hi,
                int64_t s, int32_t xz, int32_t w) {
  const int64_t st = S > 0 ? S : s;
  for (int64_t ox = lo; ox < hi; ++ox)
    a[ox] = static_cast<int32_t>(static_cast<uint32_t>(a[ox]) +
                                 static_cast<uint32_t>((src[ox * st] - xz) * w));
}

// Depthwise-like convolutions: accumulate each output channel's plane directly.
template <class X, class Y>
void direct(const QConvPlan& q, const uint8_t* input, const int32_t* bias, uint8_t* output) {
  const ConvParams& p = q.p;
  const Geometry3 g = widen(p);
  const int64_t cg = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  const int64_t ks = g.k_size(), k = cg * ks, plane = g.out_size();
  const int32_t xz = q.x_pad;
  parallel_for(p.batch * p.out_channels, [&](int64_t b0, int64_t b1) {
    std::vector<int32_t> acc(static_cast<size_t>(plane));
    for (int64_t nc = b0; nc < b1; ++nc) {
      const int64_t n = nc / p.out_channels, co = nc % p.out_channels, grp = co / cout_g;
      std::fill(acc.begin(), acc.end(), bias != nullptr ? bias[co] : 0);
      for (int64_t ci = 0; ci < cg; ++ci) {
        const X* xc = reinterpret_cast<const X*>(input) +
                      (n * p.in_channels + grp * cg + ci) * g.in_size();
        for (int64_t t = 0; t < ks; ++t) {
          const int32_t w = q.centered[co * k + ci * ks + t];
          if (w == 0) continue;
          const int64_t kd = t / (g.k[1] * g.k[2]), ky = t / g.k[2] % g.k[1], kx = t % g.k[2];
          int64_t lo, hi;
          detail::valid_range(g.out[2], g.in[2], g.s[2], kx * g.d[2] - g.pad[2], &lo, &hi);
          for (int64_t od = 0; od < g.out[0]; ++od) {
            const int64_t id = od * g.s[0] - g.pad[0] + kd * g.d[0];
            if (id < 0 || id >= g.in[0]) continue;
            for (int64_t oy = 0; oy < g.out[1]; ++oy) {
              const int64_t iy = oy * g.s[1] - g.pad[1] + ky * g.d[1];
              if (iy < 0 || iy >= g.in[1]) continue;
              const X* src = xc + (id * g.in[1] + iy) * g.in[2] + kx * g.d[2] - g.pad[2];
              int32_t* a = acc.data() + (od * g.out[1] + oy) * g.out[2];
              // constant strides for the common cases, so that the loops vectorize
              if (g.s[2] == 1)
                direct_row<1>(a, src, lo, hi, 1, xz, w);
              else if (g.s[2] == 2)
                direct_row<2>(a, src, lo, hi, 2, xz, w);
              else
                direct_row<0>(a, src, lo, hi, g.s[2], xz, w);
            }
          }
        }
      }
      Y* y = reinterpret_cast<Y*>(output) + nc * plane;
      const float m = q.mul[co];
      for (int64_t i = 0; i < plane; ++i)
        y[i] = static_cast<Y>(static_cast<int32_t>(requantize(acc[i], m, q.y_zero, q.lo, q.hi)));
    }
  });
}

}  // namespace

void qconv(const QConvPlan& q, const uint8_t* input, const int32_t* bias, uint8_t* output,
           void* workspace) {
  const ConvParams& p = q.p;
  if (q.direct) {
    if (q.x_signed)
      q.y_signed ? direct<int8_t, int8_t>(q, input, bias, output)
                 : direct<int8_t, uint8_t>(q, input, bias, output);
    else
      q.y_signed ? direct<uint8_t, int8_t>(q, input, bias, output)
                 : direct<uint8_t, uint8_t>(q, input, bias, output);
    return;
  }
  QConvScratch s;
  scratch_layout(q, static_cast<uint8_t*>(detail::scratch(workspace, qconv_workspace_bytes(q))),
                 &s);
  for (int64_t co = 0; co < p.out_channels; ++co)
    s.offset[co] = static_cast<int32_t>(static_cast<uint32_t>(q.offset[co]) +
                                        static_cast<uint32_t>(bias != nullptr ? bias[co] : 0));
  const int64_t in_size = widen(p).in_size(), out_size = widen(p).out_size();
  const int64_t cg = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t grp = 0; grp < p.group; ++grp)
      qconv_gemm(q, s, grp, input + (b * p.in_channels + grp * cg) * in_size,
                 output + (b * p.out_channels + grp * cout_g) * out_size);
}

}  // namespace odla_ref

namespace odla_ref {

QMatMulPlan plan_qmatmul(int64_t k, int64_t n, bool a_signed, int32_t a_zero, const uint8_t* b,
                         bool b_unsigned, const std::vector<int32_t>& b_zero,
                         const std::vector<float>& mul, bool y_signed, int32_t y_zero) {
  QMatMulPlan q;
  q.k = k;
  q.n = n;
  q.a_signed = a_signed;
  q.y_signed = y_signed;
  q.a_zero = a_signed ? a_zero + 128 : a_zero;
  q.y_zero = static_cast<float>(y_zero);
  q.lo = y_signed ? -128.f : 0.f;
  q.hi = y_signed ? 127.f : 255.f;
  q.mul = mul;
  q.b = qpack_a(b, n, k, 1, n, b_unsigned ? 0x80 : 0);
  q.b_zero.resize(static_cast<size_t>(n));
  q.offset.resize(static_cast<size_t>(n));
  const uint32_t az = static_cast<uint32_t>(q.a_zero);
  for (int64_t j = 0; j < n; ++j) {
    q.b_zero[j] = b_unsigned ? b_zero[j] - 128 : b_zero[j];
    q.any_b_zero = q.any_b_zero || q.b_zero[j] != 0;
    q.offset[j] = static_cast<int32_t>(0u - az * static_cast<uint32_t>(q.b.row_sums[j]) +
                                       static_cast<uint32_t>(k) * az *
                                           static_cast<uint32_t>(q.b_zero[j]));
  }
  return q;
}

size_t qmatmul_workspace_bytes(const QMatMulPlan& q, int64_t /*m*/) {
  return align64(4 * static_cast<size_t>(q.n)) + align64(qgemm_workspace_bytes(q.n));
}

void qmatmul(const QMatMulPlan& q, const uint8_t* a, int64_t m, const int32_t* bias, uint8_t* y,
             void* workspace) {
  uint8_t* ws = static_cast<uint8_t*>(detail::scratch(workspace, qmatmul_workspace_bytes(q, m)));
  int32_t* offset = reinterpret_cast<int32_t*>(ws);
  for (int64_t j = 0; j < q.n; ++j)
    offset[j] = static_cast<int32_t>(static_cast<uint32_t>(q.offset[j]) +
                                     static_cast<uint32_t>(bias != nullptr ? bias[j] : 0));
  QSourceB b;
  b.cols = a;
  b.ld = q.k;
  b.flip = q.a_signed ? 0x80 : 0;
  QOutput o;
  o.y = y;
  o.y_signed = q.y_signed;
  o.row_stride = 1;
  o.col_stride = q.n;
  o.row_offset = offset;
  o.row_zero = q.any_b_zero ? q.b_zero.data() : nullptr;
  o.row_mul = q.mul.data();
  o.y_zero = q.y_zero;
  o.lo = q.lo;
  o.hi = q.hi;
  qgemm(q.b, b, m, o, ws + align64(4 * static_cast<size_t>(q.n)));
}

}  // namespace odla_ref
