// The Eigen kernels, compiled once per instruction set: the including file
// defines ODLA_EIGEN_ISA (a namespace name) and renames Eigen's namespace
// (`#define Eigen eigen_<isa>`) before including this. See eigen_kernels.h.
#ifndef ODLA_EIGEN_ISA
#error "define ODLA_EIGEN_ISA before including eigen_impl.h"
#endif

#define EIGEN_USE_THREADS
#define EIGEN_NO_DEBUG
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wclass-memaccess"
#pragma GCC diagnostic ignored "-Wdeprecated-copy"
#include <unsupported/Eigen/CXX11/Tensor>
#pragma GCC diagnostic pop

#include "eigen_std.h"

namespace odla_eigen {
namespace ODLA_EIGEN_ISA {
namespace {

using Index = Eigen::Index;
using ConstMap2 = Eigen::TensorMap<Eigen::Tensor<const float, 2, Eigen::ColMajor, Index>>;
using Map2 = Eigen::TensorMap<Eigen::Tensor<float, 2, Eigen::ColMajor, Index>>;
using ConstMap1 = Eigen::TensorMap<Eigen::Tensor<const float, 1, Eigen::ColMajor, Index>>;
using Map1 = Eigen::TensorMap<Eigen::Tensor<float, 1, Eigen::ColMajor, Index>>;
using Dims1 = Eigen::array<Eigen::IndexPair<Index>, 1>;

// One pool per process (per ISA copy; only the chosen copy ever starts one).
// Never destroyed: kernels may still run from other threads' static
// destructors at exit.
const Eigen::ThreadPoolDevice& device() {
  static const Eigen::ThreadPoolDevice* dev = [] {
    const int n = device_threads();
    auto* pool = new Eigen::ThreadPool(n);
    return new Eigen::ThreadPoolDevice(pool, n);
  }();
  return *dev;
}

// Applies act to n values in place (vectorizable selects; Relu's NaN -> lo).
inline void apply_act(float* v, Index n, const Activation& act) {
  const float lo = act.lo, hi = act.hi;
  if (act.nan_to_lo) {
    for (Index r = 0; r < n; ++r) {
      const float x = v[r];
      v[r] = x > lo ? (x > hi ? hi : x) : lo;
    }
  } else {
    for (Index r = 0; r < n; ++r) {
      const float x = v[r];
      v[r] = x < lo ? lo : (x > hi ? hi : x);
    }
  }
}

// Output kernel of the conv contraction: output (HW x C_out, column-major),
// adds bias[column] and applies the activation to each finished block.
struct ConvEpilogue {
  const float* bias;
  Activation act;
  bool active;
  template <typename I, typename Scalar>
  EIGEN_ALWAYS_INLINE void operator()(
      const Eigen::internal::blas_data_mapper<Scalar, I, Eigen::ColMajor>& out,
      const Eigen::TensorContractionParams&, I, I j, I rows, I cols) const {
    for (I c = 0; c < cols; ++c) {
      float* col = &out(0, c);
      if (bias != nullptr) {
        const float b = bias[j + c];
        for (I r = 0; r < rows; ++r) col[r] += b;
      }
      if (active) apply_act(col, rows, act);
    }
  }
};

// The Gemm epilogue: Y = alpha * acc + beta * C, then act, on a run of
// `rows` values of output row m starting at column i (Y^T's column-major block
// column). Also the output kernel of the Gemm contraction (output Y^T, N x M).
struct GemmEpilogue {
  float alpha, beta;
  const float* c;  // this batch's C, or null
  int c_mode;
  int64_t N;
  Activation act;
  bool active;
  void apply(float* col, int64_t m, int64_t i, int64_t rows) const {
    if (alpha != 1)
      for (int64_t r = 0; r < rows; ++r) col[r] *= alpha;
    switch (c_mode) {
      case 1: {
        const float v = beta * c[0];
        for (int64_t r = 0; r < rows; ++r) col[r] += v;
        break;
      }
      case 2:
        for (int64_t r = 0; r < rows; ++r) col[r] += beta * c[i + r];
        break;
      case 3: {
        const float* row = c + m * N + i;
        for (int64_t r = 0; r < rows; ++r) col[r] += beta * row[r];
        break;
      }
      case 4: {
        const float v = beta * c[m];
        for (int64_t r = 0; r < rows; ++r) col[r] += v;
        break;
      }
      default:
        break;
    }
    if (active) apply_act(col, rows, act);
  }
  template <typename I, typename Scalar>
  EIGEN_ALWAYS_INLINE void operator()(
      const Eigen::internal::blas_data_mapper<Scalar, I, Eigen::ColMajor>& out,
      const Eigen::TensorContractionParams&, I i, I j, I rows, I cols) const {
    for (I cc = 0; cc < cols; ++cc) apply(&out(0, cc), j + cc, i, rows);
  }
};

// One row of Y (M == 1): y = op(B)^T a, as Eigen matrix-vector products over
// chunks of the N outputs on the device, each finished by the epilogue.
void gemv(const GemmArgs& g, const float* a, const float* b, float* y, const GemmEpilogue& epi) {
  using RowMat = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
  using ColMat = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>>;
  using Vec = Eigen::Map<const Eigen::VectorXf>;
  using OutVec = Eigen::Map<Eigen::VectorXf>;
  const Index N = g.N, K = g.K;
  const Vec av(a, K);  // A is 1 x K (or K x 1 transposed): contiguous either way
  auto run = [=, &epi](Index first, Index last) {
    OutVec out(y + first, last - first);
    if (g.trans_b)  // B [N][K]: rows first..last
      out.noalias() = RowMat(b, N, K).middleRows(first, last - first) * av;
    else  // B [K][N] is column-major N x K
      out.noalias() = ColMat(b, N, K).middleRows(first, last - first) * av;
    epi.apply(y + first, 0, first, last - first);
  };
  device().parallelFor(N, Eigen::TensorOpCost(static_cast<double>(K) * 4, 4, 2.0 * K), run);
}

// im2col of one image: row (c, ki, kj) of `cols` holds the input taps of every
// output position (HW of them), zero where the tap falls into the padding.
void im2col(const odla_ref::ConvParams& p, const float* x, float* cols) {
  const int64_t H = p.in_dims[0], W = p.in_dims[1], Ho = p.out_dims[0], Wo = p.out_dims[1];
  const int64_t kh = p.kernel[0], kw = p.kernel[1], sh = p.strides[0], sw = p.strides[1];
  const int64_t dh = p.dilations[0], dw = p.dilations[1], ph = p.pads_front[0],
                pw = p.pads_front[1];
  const int64_t rows = p.in_channels * kh * kw, hw = Ho * Wo;
  auto fill = [=](Index first, Index last) {
    for (Index row = first; row < last; ++row) {
      const int64_t c = row / (kh * kw), ki = row / kw % kh, kj = row % kw;
      const float* plane = x + c * H * W;
      float* dst = cols + row * hw;
      const int64_t off = kj * dw - pw;  // iw = ow * sw + off
      // ow range with 0 <= iw < W
      int64_t lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
      int64_t hi = W - 1 - off < 0 ? -1 : (W - 1 - off) / sw;
      lo = std::min(lo, Wo);
      hi = std::min(hi, Wo - 1);
      for (int64_t oh = 0; oh < Ho; ++oh) {
        float* d = dst + oh * Wo;
        const int64_t ih = oh * sh - ph + ki * dh;
        if (ih < 0 || ih >= H || hi < lo) {
          std::memset(d, 0, sizeof(float) * Wo);
          continue;
        }
        const float* s = plane + ih * W + off;
        for (int64_t ow = 0; ow < lo; ++ow) d[ow] = 0;
        if (sw == 1) {
          std::memcpy(d + lo, s + lo, sizeof(float) * (hi - lo + 1));
        } else {
          for (int64_t ow = lo; ow <= hi; ++ow) d[ow] = s[ow * sw];
        }
        for (int64_t ow = hi + 1; ow < Wo; ++ow) d[ow] = 0;
      }
    }
  };
  const Eigen::TensorOpCost cost(0, static_cast<double>(hw) * 4, static_cast<double>(hw));
  device().parallelFor(rows, cost, fill);
}

void conv2d(const odla_ref::ConvParams& p, const float* x, const float* w, const float* bias,
            float* y, float* scratch, const Activation& act) {
  const Index hw = p.out_dims[0] * p.out_dims[1];
  const Index k = p.in_channels * p.kernel[0] * p.kernel[1];
  const Index cout = p.out_channels;
  const bool direct = conv_is_pointwise(p);
  const ConvEpilogue epi{bias, act, act.active()};
  const Dims1 dims = {Eigen::IndexPair<Index>(1, 0)};
  const ConstMap2 wt(w, k, cout);  // W [C_out][K] row-major is K x C_out column-major
  for (int64_t n = 0; n < p.batch; ++n) {
    const float* xn = x + n * p.in_channels * p.in_dims[0] * p.in_dims[1];
    const float* cols = xn;
    if (!direct) {
      im2col(p, xn, scratch);
      cols = scratch;
    }
    const ConstMap2 lhs(cols, hw, k);  // cols [K][HW] row-major is HW x K column-major
    Map2 out(y + n * cout * hw, hw, cout);
    out.device(device()) = lhs.contract(wt, dims, epi);
  }
}

void gemm(const GemmArgs& g, const float* a, const float* b, const float* c, float* y,
          const Activation& act) {
  // Row-major Y = op(A) op(B) is column-major Y^T (N x M) = op(B)^T op(A)^T.
  const Index M = g.M, N = g.N, K = g.K;
  const Dims1 dims = {Eigen::IndexPair<Index>(g.trans_b ? 0 : 1, g.trans_a ? 1 : 0)};
  for (int64_t i = 0; i < g.batches; ++i) {
    const float* pa = a + i * g.a_stride;
    const float* pb = b + i * g.b_stride;
    const ConstMap2 bt(pb, g.trans_b ? K : N, g.trans_b ? N : K);
    const ConstMap2 at(pa, g.trans_a ? M : K, g.trans_a ? K : M);
    const GemmEpilogue epi{g.alpha, g.beta, c != nullptr ? c + i * g.c_stride : nullptr,
                           c != nullptr ? g.c_mode : 0, g.N, act, act.active()};
    if (M == 1) {
      gemv(g, pa, pb, y + i * N, epi);
      continue;
    }
    Map2 out(y + i * M * N, N, M);
    out.device(device()) = bt.contract(at, dims, epi);
  }
}

void add(const float* a, const float* b, float* y, int64_t n, const Activation& act) {
  const ConstMap1 ta(a, n), tb(b, n);
  Map1 ty(y, n);
  if (!act.active()) {
    ty.device(device()) = ta + tb;
  } else if (act.nan_to_lo) {
    const auto s = ta + tb;
    ty.device(device()) = (s > s.constant(act.lo))
                              .select((s > s.constant(act.hi)).select(s.constant(act.hi), s),
                                      s.constant(act.lo));
  } else {
    const auto s = ta + tb;
    ty.device(device()) = (s < s.constant(act.lo))
                              .select(s.constant(act.lo),
                                      (s > s.constant(act.hi)).select(s.constant(act.hi), s));
  }
}

void mul(const float* a, const float* b, float* y, int64_t n) {
  const ConstMap1 ta(a, n), tb(b, n);
  Map1 ty(y, n);
  ty.device(device()) = ta * tb;
}

void clamp(const float* x, float* y, int64_t n, const Activation& act) {
  const ConstMap1 s(x, n);
  Map1 ty(y, n);
  if (act.nan_to_lo)
    ty.device(device()) = (s > s.constant(act.lo))
                              .select((s > s.constant(act.hi)).select(s.constant(act.hi), s),
                                      s.constant(act.lo));
  else
    ty.device(device()) = (s < s.constant(act.lo))
                              .select(s.constant(act.lo),
                                      (s > s.constant(act.hi)).select(s.constant(act.hi), s));
}

// Per output position along one pooling axis: the output range [lo, hi]
// whose tap k lands inside the input, and the divisor factor of each output.
struct PoolAxis {
  std::vector<int64_t> lo, hi;  // indexed by tap
  std::vector<float> count;     // indexed by output position
};

PoolAxis pool_axis(const odla_ref::PoolParams& p, int a) {
  PoolAxis t;
  const int64_t in = p.in_dims[a], out = p.out_dims[a], s = p.strides[a];
  for (int64_t k = 0; k < p.window[a]; ++k) {
    const int64_t off = k * p.dilations[a] - p.pads_front[a];  // i = o * s + off
    int64_t lo = off >= 0 ? 0 : (-off + s - 1) / s;
    int64_t hi = in - 1 - off < 0 ? -1 : (in - 1 - off) / s;
    t.lo.push_back(std::min(lo, out));
    t.hi.push_back(std::min(hi, out - 1));
  }
  for (int64_t o = 0; o < out; ++o) {
    int64_t n = 0;
    for (int64_t k = 0; k < p.window[a]; ++k) {
      const int64_t i = o * s + k * p.dilations[a] - p.pads_front[a];
      n += p.count_include_pad ? (i < in + p.pads_back[a]) : (i >= 0 && i < in);
    }
    t.count.push_back(static_cast<float>(n));
  }
  return t;
}

// 2-D pooling, one (n, c) plane per task: each output row accumulates, tap by
// tap, the input row segment that tap reads (taps outside the input skipped).
template <bool kMax>
void pool2d(const odla_ref::PoolParams& p, const float* x, float* y) {
  const int64_t H = p.in_dims[0], W = p.in_dims[1], Ho = p.out_dims[0], Wo = p.out_dims[1];
  const int64_t sw = p.strides[1];
  const int64_t planes = p.batch * p.channels;
  const auto ah = std::make_shared<const PoolAxis>(pool_axis(p, 0));
  const auto aw = std::make_shared<const PoolAxis>(pool_axis(p, 1));
  auto run = [=](Index first, Index last) {
    for (Index pl = first; pl < last; ++pl) {
      const float* in = x + pl * H * W;
      for (int64_t oh = 0; oh < Ho; ++oh) {
        float* out = y + (pl * Ho + oh) * Wo;
        const float init = kMax ? -std::numeric_limits<float>::infinity() : 0.f;
        for (int64_t ow = 0; ow < Wo; ++ow) out[ow] = init;
        for (int64_t ki = 0; ki < p.window[0]; ++ki) {
          if (oh < ah->lo[ki] || oh > ah->hi[ki]) continue;
          const float* row = in + (oh * p.strides[0] + ki * p.dilations[0] - p.pads_front[0]) * W;
          for (int64_t kj = 0; kj < p.window[1]; ++kj) {
            const float* src = row + kj * p.dilations[1] - p.pads_front[1];
            const int64_t lo = aw->lo[kj], hi = aw->hi[kj];
            if (sw == 1) {
              for (int64_t ow = lo; ow <= hi; ++ow) {
                const float v = src[ow], o = out[ow];
                out[ow] = kMax ? (v > o || v != v ? v : o) : o + v;
              }
            } else {
              for (int64_t ow = lo; ow <= hi; ++ow) {
                const float v = src[ow * sw], o = out[ow];
                out[ow] = kMax ? (v > o || v != v ? v : o) : o + v;
              }
            }
          }
        }
        if (!kMax) {
          const float ch = ah->count[oh];
          for (int64_t ow = 0; ow < Wo; ++ow) {
            const float n = ch * aw->count[ow];
            out[ow] = n > 0 ? out[ow] / n : 0.f;
          }
        }
      }
    }
  };
  const double per_plane = static_cast<double>(Ho * Wo * p.window[0] * p.window[1]);
  device().parallelFor(planes, Eigen::TensorOpCost(per_plane * 4, Ho * Wo * 4.0, per_plane),
                       run);
}

void max_pool(const odla_ref::PoolParams& p, const float* x, float* y) { pool2d<true>(p, x, y); }
void avg_pool(const odla_ref::PoolParams& p, const float* x, float* y) { pool2d<false>(p, x, y); }

}  // namespace

const Kernels table = {
#define ODLA_EIGEN_STR2(x) #x
#define ODLA_EIGEN_STR(x) ODLA_EIGEN_STR2(x)
    ODLA_EIGEN_STR(ODLA_EIGEN_ISA), conv2d, gemm, add, mul, clamp, max_pool, avg_pool,
#undef ODLA_EIGEN_STR
#undef ODLA_EIGEN_STR2
};

}  // namespace ODLA_EIGEN_ISA
}  // namespace odla_eigen
