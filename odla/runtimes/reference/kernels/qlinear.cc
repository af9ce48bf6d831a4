#include "kernels/qlinear.h"

#include <algorithm>
#include <cstring>

#include "kernels/conv_geometry.h"
#include "kernels/parallel.h"

namespace odla_ref {
namespace {

using detail::Geometry3;
using detail::widen;

bool is_pointwise(const Geometry3& g) {
  for (int a = 0; a < 3; ++a)
    if (g.k[a] != 1 || g.s[a] != 1 || g.pad[a] != 0 || g.in[a] != g.out[a]) return false;
  return true;
}

size_t align64(size_t bytes) { return (bytes + 63) / 64 * 64; }

int64_t depth(const ConvParams& p) {
  return p.in_channels / p.group * widen(p).k_size();
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

size_t qconv_workspace_bytes(const QConvPlan& q) {
  if (q.direct) return 0;
  const Geometry3 g = widen(q.p);
  const int64_t k = depth(q.p), n = g.out_size();
  size_t bytes = align64(4 * static_cast<size_t>(q.p.out_channels)) +
                 align64(4 * static_cast<size_t>(n + 64)) + align64(qpacked_b_bytes(k, n));
  if (!is_pointwise(g)) bytes += align64(static_cast<size_t>(k * n));
  return bytes;
}

namespace {

// im2col of one group's channels into [K][out_size] bytes; padded positions get `pad`.
void im2col(const Geometry3& g, int64_t channels, const uint8_t* x, uint8_t pad, uint8_t* dst) {
  const int64_t ks = g.k_size(), n = g.out_size();
  parallel_for(channels * ks, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t ci = r / ks, t = r % ks;
      const int64_t kd = t / (g.k[1] * g.k[2]), ky = t / g.k[2] % g.k[1], kx = t % g.k[2];
      const uint8_t* xc = x + ci * g.in_size();
      uint8_t* row = dst + r * n;
      int64_t lo, hi;
      detail::valid_range(g.out[2], g.in[2], g.s[2], kx * g.d[2] - g.pad[2], &lo, &hi);
      for (int64_t od = 0; od < g.out[0]; ++od) {
        const int64_t id = od * g.s[0] - g.pad[0] + kd * g.d[0];
        for (int64_t oy = 0; oy < g.out[1]; ++oy, row += g.out[2]) {
          const int64_t iy = oy * g.s[1] - g.pad[1] + ky * g.d[1];
          if (id < 0 || id >= g.in[0] || iy < 0 || iy >= g.in[1]) {
            std::memset(row, pad, static_cast<size_t>(g.out[2]));
            continue;
          }
          const uint8_t* src = xc + (id * g.in[1] + iy) * g.in[2] + kx * g.d[2] - g.pad[2];
          std::memset(row, pad, static_cast<size_t>(lo));
          if (g.s[2] == 1)
            std::memcpy(row + lo, src + lo, static_cast<size_t>(hi - lo));
          else
            for (int64_t ox = lo; ox < hi; ++ox) row[ox] = src[ox * g.s[2]];
          std::memset(row + hi, pad, static_cast<size_t>(g.out[2] - hi));
        }
      }
    }
  }, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n)));
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
              const int64_t s = g.s[2];
              for (int64_t ox = lo; ox < hi; ++ox)
                a[ox] = static_cast<int32_t>(static_cast<uint32_t>(a[ox]) +
                                             static_cast<uint32_t>((src[ox * s] - xz) * w));
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
  const Geometry3 g = widen(p);
  const int64_t cg = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  const int64_t k = depth(p), n = g.out_size();
  const bool pointwise = is_pointwise(g);
  uint8_t* ws = static_cast<uint8_t*>(detail::scratch(workspace, qconv_workspace_bytes(q)));
  int32_t* offset = reinterpret_cast<int32_t*>(ws);
  ws += align64(4 * static_cast<size_t>(p.out_channels));
  int32_t* col_sums = reinterpret_cast<int32_t*>(ws);
  ws += align64(4 * static_cast<size_t>(n + 64));
  uint8_t* packed = ws;
  ws += align64(qpacked_b_bytes(k, n));
  uint8_t* cols = ws;
  for (int64_t co = 0; co < p.out_channels; ++co)
    offset[co] = static_cast<int32_t>(static_cast<uint32_t>(q.offset[co]) +
                                      static_cast<uint32_t>(bias != nullptr ? bias[co] : 0));
  const uint8_t flip = q.x_signed ? 0x80 : 0;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t grp = 0; grp < p.group; ++grp) {
      const uint8_t* x = input + (b * p.in_channels + grp * cg) * g.in_size();
      if (!pointwise) {
        im2col(g, cg, x, static_cast<uint8_t>(q.x_pad), cols);
        x = cols;
      }
      qpack_b(x, k, n, n, 1, flip, packed, q.any_w_zero ? col_sums : nullptr);
      QOutput o;
      o.y = output + (b * p.out_channels + grp * cout_g) * n;
      o.y_signed = q.y_signed;
      o.row_stride = n;
      o.col_stride = 1;
      o.row_offset = offset + grp * cout_g;
      o.row_zero = q.w_zero.data() + grp * cout_g;
      o.col_sums = q.any_w_zero ? col_sums : nullptr;
      o.row_mul = q.mul.data() + grp * cout_g;
      o.y_zero = q.y_zero;
      o.lo = q.lo;
      o.hi = q.hi;
      qgemm(q.groups[static_cast<size_t>(grp)], packed, n, o);
    }
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

size_t qmatmul_workspace_bytes(const QMatMulPlan& q, int64_t m) {
  return align64(4 * static_cast<size_t>(q.n)) + align64(4 * static_cast<size_t>(m + 64)) +
         align64(qpacked_b_bytes(q.k, m));
}

void qmatmul(const QMatMulPlan& q, const uint8_t* a, int64_t m, const int32_t* bias, uint8_t* y,
             void* workspace) {
  uint8_t* ws = static_cast<uint8_t*>(detail::scratch(workspace, qmatmul_workspace_bytes(q, m)));
  int32_t* offset = reinterpret_cast<int32_t*>(ws);
  ws += align64(4 * static_cast<size_t>(q.n));
  int32_t* col_sums = reinterpret_cast<int32_t*>(ws);
  ws += align64(4 * static_cast<size_t>(m + 64));
  uint8_t* packed = ws;
  for (int64_t j = 0; j < q.n; ++j)
    offset[j] = static_cast<int32_t>(static_cast<uint32_t>(q.offset[j]) +
                                     static_cast<uint32_t>(bias != nullptr ? bias[j] : 0));
  qpack_b(a, q.k, m, 1, q.k, q.a_signed ? 0x80 : 0, packed, q.any_b_zero ? col_sums : nullptr);
  QOutput o;
  o.y = y;
  o.y_signed = q.y_signed;
  o.row_stride = 1;
  o.col_stride = q.n;
  o.row_offset = offset;
  o.row_zero = q.b_zero.data();
  o.col_sums = q.any_b_zero ? col_sums : nullptr;
  o.row_mul = q.mul.data();
  o.y_zero = q.y_zero;
  o.lo = q.lo;
  o.hi = q.hi;
  qgemm(q.b, packed, m, o);
}

}  // namespace odla_ref
