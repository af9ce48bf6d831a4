// Reductions over a set of axes: Sum Mean Max Min Prod L1 L2 LogSum
// LogSumExp SumSquare, for every numeric element type.
#include <cmath>
#include <limits>

#include "builder.h"
#include "kernels/parallel.h"

namespace odla_rt {
namespace {

enum class Reduce { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

// Kept and reduced dimensions of the input, each with its element strides.
struct ReduceGeometry {
  Dims kept_dims, kept_strides, red_dims, red_strides;
  int64_t out_count = 1, red_count = 1;

  // Calls f(offset) for every input element reduced into output `o`.
  template <class F>
  void for_each(int64_t o, F&& f) const {
    int64_t base = 0;
    for (size_t d = kept_dims.size(); d-- > 0;) {
      base += (o % kept_dims[d]) * kept_strides[d];
      o /= kept_dims[d];
    }
    if (red_count == 0) return;
    const size_t r = red_dims.size();
    if (r == 0) return f(base);
    int64_t coord[ODLA_MAX_DIMENSION] = {};
    const int64_t inner = red_dims[r - 1], step = red_strides[r - 1];
    for (;;) {
      for (int64_t j = 0; j < inner; ++j) f(base + j * step);
      size_t d = r - 1;
      for (;;) {
        if (d == 0) return;
        --d;
        base += red_strides[d];
        if (++coord[d] < red_dims[d]) break;
        base -= coord[d] * red_strides[d];
        coord[d] = 0;
      }
    }
  }
};

template <class T>
void reduce_one(Reduce kind, const ReduceGeometry& g, const T* x, int64_t o, float eps, T* y) {
  using C = typename Num<T>::C;
  auto load = [&](int64_t i) { return Num<T>::load(x[i]); };
  if (kind == Reduce::kMax || kind == Reduce::kMin) {
    const bool is_max = kind == Reduce::kMax;
    C acc = is_max ? (std::numeric_limits<C>::has_infinity ? -std::numeric_limits<C>::infinity()
                                                            : std::numeric_limits<C>::lowest())
                   : (std::numeric_limits<C>::has_infinity ? std::numeric_limits<C>::infinity()
                                                            : std::numeric_limits<C>::max());
    g.for_each(o, [&](int64_t i) {
      const C v = load(i);
      if (is_nan(v) || (is_max ? v > acc : v < acc)) acc = is_nan(acc) ? acc : v;
    });
    y[o] = Num<T>::store(acc);
    return;
  }
  // Integers accumulate exactly in 64 bits where the result stays an integer.
  using IntAcc = std::conditional_t<std::is_unsigned_v<C>, uint64_t, int64_t>;
  if constexpr (kIsInt<T>) {
    if (kind == Reduce::kSum || kind == Reduce::kMean || kind == Reduce::kProd ||
        kind == Reduce::kSumSquare || kind == Reduce::kL1) {
      IntAcc acc = kind == Reduce::kProd ? 1 : 0;
      g.for_each(o, [&](int64_t i) {
        const IntAcc v = static_cast<IntAcc>(load(i));
        if (kind == Reduce::kProd) acc *= v;
        else if (kind == Reduce::kSumSquare) acc += v * v;
        else if (kind == Reduce::kL1) acc += (std::is_signed_v<C> && load(i) < 0) ? 0 - v : v;
        else acc += v;
      });
      if (kind == Reduce::kMean && g.red_count != 0) acc /= static_cast<IntAcc>(g.red_count);
      y[o] = static_cast<T>(acc);
      return;
    }
  }
  double shift = 0;  // LogSumExp subtracts the maximum for stability
  if (kind == Reduce::kLogSumExp) {
    shift = -std::numeric_limits<double>::infinity();
    g.for_each(o, [&](int64_t i) { shift = std::max(shift, static_cast<double>(load(i))); });
    if (!std::isfinite(shift)) shift = 0;
  }
  double acc = kind == Reduce::kProd ? 1.0 : 0.0;
  g.for_each(o, [&](int64_t i) {
    const double v = static_cast<double>(load(i));
    switch (kind) {
      case Reduce::kProd: acc *= v; break;
      case Reduce::kL1: acc += std::fabs(v); break;
      case Reduce::kL2:
      case Reduce::kSumSquare: acc += v * v; break;
      case Reduce::kLogSumExp: acc += std::exp(v - shift); break;
      default: acc += v; break;
    }
  });
  switch (kind) {
    case Reduce::kMean: acc /= static_cast<double>(g.red_count); break;
    case Reduce::kL1: acc += eps; break;
    case Reduce::kL2: acc = std::sqrt(acc + eps); break;
    case Reduce::kLogSum: acc = std::log(acc); break;
    case Reduce::kLogSumExp: acc = std::log(acc) + shift; break;
    default: break;
  }
  y[o] = from_double<T>(acc);
}

odla_value build_reduce(const char* name, Reduce kind, odla_value input, odla_size_t num_axes,
                        const odla_uint32* axes, odla_bool keep_dims, float eps,
                        const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value x = operand(input, "input");
  const Dims& in = x->type.dims;
  if (num_axes != 0 && axes == nullptr) fail("axes is NULL");
  std::vector<bool> reduced(in.size(), false);
  for (size_t i = 0; i < num_axes; ++i) {
    const int a = normalize_axis(axes[i], x->type.rank(), "axis");
    if (reduced[a]) fail("axis " + std::to_string(a) + " is listed twice");
    reduced[a] = true;
  }
  auto g = std::make_shared<ReduceGeometry>();
  const Dims strides = dense_strides(in);
  Dims out;
  for (size_t d = 0; d < in.size(); ++d) {
    if (reduced[d]) {
      g->red_dims.push_back(in[d]);
      g->red_strides.push_back(strides[d]);
      g->red_count *= in[d];
      if (keep_dims) out.push_back(1);
    } else {
      g->kept_dims.push_back(in[d]);
      g->kept_strides.push_back(strides[d]);
      g->out_count *= in[d];
      out.push_back(in[d]);
    }
  }
  check_output_dims(output_dims, out);
  return visit_dtype(x->type.dtype, [&](auto tag) -> odla_value {
    using T = typename decltype(tag)::type;
    if constexpr (kIsNumeric<T>) {
      Kernel k = [g, kind, eps](const KernelIO& io) {
        const T* src = io.input<T>(0);
        T* dst = io.output<T>(0);
        const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, g->red_count));
        odla_ref::parallel_for(g->out_count, [&](int64_t begin, int64_t end) {
          for (int64_t o = begin; o < end; ++o) reduce_one(kind, *g, src, o, eps, dst);
        }, grain);
      };
      NodeOptions options;
      options.params = reduced;  // std::vector<bool>: the reduced axes, for runtimes' kernel tables
      return add_node(name, {x}, TensorType{x->type.dtype, out}, id, std::move(k), options);
    } else {
      fail(std::string(name) + " does not accept element type " + dtype_name(x->type.dtype));
    }
  });
}

}  // namespace
}  // namespace odla_rt

using odla_rt::Reduce;

#define ODLA_REDUCE(Name, Kind)                                                          \
  odla_value odla_##Name(odla_value input, odla_size_t num_of_axes, const odla_uint32* axes, \
                         odla_bool keep_dims, odla_value_shape output_dims,               \
                         const odla_value_id id) {                                        \
    return odla_rt::guard_build("odla_" #Name, [&] {                                      \
      return odla_rt::build_reduce("odla_" #Name, Reduce::Kind, input, num_of_axes, axes, \
                                   keep_dims, 0.f, output_dims, id);                      \
    });                                                                                   \
  }

extern "C" {

ODLA_REDUCE(ReduceSum, kSum)
ODLA_REDUCE(ReduceMean, kMean)
ODLA_REDUCE(ReduceMax, kMax)
ODLA_REDUCE(ReduceMin, kMin)
ODLA_REDUCE(ReduceProd, kProd)
ODLA_REDUCE(ReduceLogSum, kLogSum)
ODLA_REDUCE(ReduceLogSumExp, kLogSumExp)
ODLA_REDUCE(ReduceSumSquare, kSumSquare)

odla_value odla_ReduceL1(odla_value input, odla_size_t num_of_axes, const odla_uint32* axes,
                         odla_bool keep_dims, odla_float32 epsilon,
                         odla_value_shape output_dims, const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&, fn = __func__] {
    return odla_rt::build_reduce(fn, Reduce::kL1, input, num_of_axes, axes, keep_dims,
                                 epsilon, output_dims, id);
  });
}

odla_value odla_ReduceL2(odla_value input, odla_size_t num_of_axes, const odla_uint32* axes,
                         odla_bool keep_dims, odla_float32 epsilon,
                         odla_value_shape output_dims, const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&, fn = __func__] {
    return odla_rt::build_reduce(fn, Reduce::kL2, input, num_of_axes, axes, keep_dims,
                                 epsilon, output_dims, id);
  });
}

}  // extern "C"
#undef ODLA_REDUCE
