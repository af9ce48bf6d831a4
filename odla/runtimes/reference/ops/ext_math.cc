// HALO extensions (odla_ops_ext.h): odla_CumProd, odla_Det, odla_BitCast.
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "builder.h"
#include "kernels/parallel.h"

namespace odla_rt {
namespace {

odla_value build_cumprod(odla_value input, int axis, bool exclusive, bool reverse,
                         const odla_value_id id) {
  odla_value x = operand(input, "input");
  const AxisSplit s = split_at_axis(x->type.dims, normalize_axis(axis, x->type.rank(), "axis"));
  return visit_dtype(x->type.dtype, [&](auto tag) -> odla_value {
    using T = typename decltype(tag)::type;
    if constexpr (kIsNumeric<T>) {
      Kernel k = [s, exclusive, reverse](const KernelIO& io) {
        using C = typename Num<T>::C;
        const T* x = io.input<T>(0);
        T* y = io.output<T>(0);
        odla_ref::parallel_for(s.outer * s.inner, [&](int64_t begin, int64_t end) {
          for (int64_t r = begin; r < end; ++r) {
            const int64_t base = (r / s.inner) * s.axis_len * s.inner + r % s.inner;
            C acc = 1;
            for (int64_t j = 0; j < s.axis_len; ++j) {
              const int64_t i = base + (reverse ? s.axis_len - 1 - j : j) * s.inner;
              const C v = Num<T>::load(x[i]);
              if (!exclusive) acc = static_cast<C>(acc * v);
              y[i] = Num<T>::store(acc);
              if (exclusive) acc = static_cast<C>(acc * v);
            }
          }
        }, 256);
      };
      return add_node("odla_CumProd", {x}, x->type, id, std::move(k));
    } else {
      fail("odla_CumProd does not accept element type " + std::string(dtype_name(x->type.dtype)));
    }
  });
}

// Determinant by Gaussian elimination with partial pivoting, in double.
double det_of(std::vector<double>& a, int64_t n) {
  double det = 1.0;
  for (int64_t c = 0; c < n; ++c) {
    int64_t p = c;
    for (int64_t r = c + 1; r < n; ++r)
      if (std::fabs(a[r * n + c]) > std::fabs(a[p * n + c])) p = r;
    if (a[p * n + c] == 0.0) return 0.0;
    if (p != c) {
      for (int64_t k = 0; k < n; ++k) std::swap(a[p * n + k], a[c * n + k]);
      det = -det;
    }
    det *= a[c * n + c];
    for (int64_t r = c + 1; r < n; ++r) {
      const double f = a[r * n + c] / a[c * n + c];
      for (int64_t k = c; k < n; ++k) a[r * n + k] -= f * a[c * n + k];
    }
  }
  return det;
}

odla_value build_det(odla_value input, const odla_value_id id) {
  odla_value x = operand(input, "input");
  const Dims& d = x->type.dims;
  if (d.size() < 2 || d[d.size() - 1] != d[d.size() - 2])
    fail("odla_Det needs square matrices in the last two dimensions, got " + type_str(x->type));
  const int64_t n = d.back();
  const Dims out(d.begin(), d.end() - 2);
  const int64_t count = num_elements(out);
  return visit_dtype(x->type.dtype, [&](auto tag) -> odla_value {
    using T = typename decltype(tag)::type;
    if constexpr (kIsFloat<T>) {
      Kernel k = [n, count](const KernelIO& io) {
        const T* x = io.input<T>(0);
        T* y = io.output<T>(0);
        std::vector<double> a(static_cast<size_t>(n * n));
        for (int64_t m = 0; m < count; ++m) {
          for (int64_t i = 0; i < n * n; ++i) a[i] = to_double(x[m * n * n + i]);
          y[m] = from_double<T>(det_of(a, n));
        }
      };
      return add_node("odla_Det", {x}, TensorType{x->type.dtype, out}, id, std::move(k));
    } else {
      fail("odla_Det needs a float type, got " + type_str(x->type));
    }
  });
}

odla_value build_bitcast(odla_value input, odla_element_type to, const odla_value_id id) {
  odla_value x = operand(input, "input");
  if (!is_supported(to)) throw_unsupported(to);
  if (element_size(to) != element_size(x->type.dtype))
    fail(std::string("cannot reinterpret ") + dtype_name(x->type.dtype) + " as " + dtype_name(to) +
         ": the element sizes differ");
  const size_t bytes = x->type.bytes();
  Kernel k = [bytes](const KernelIO& io) {
    if (io.out[0] != io.in[0]) std::memcpy(io.out[0], io.in[0], bytes);
  };
  NodeOptions options;
  options.inplace_input = 0;
  return add_node("odla_BitCast", {x}, TensorType{to, x->type.dims}, id, std::move(k), options);
}

}  // namespace
}  // namespace odla_rt

extern "C" {

odla_value odla_CumProd(odla_value input, odla_int32 axis, odla_bool exclusive, odla_bool reverse,
                        const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_cumprod(input, axis, exclusive != 0, reverse != 0, value_id);
  });
}

odla_value odla_Det(odla_value input, const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] { return odla_rt::build_det(input, value_id); });
}

odla_value odla_BitCast(odla_value input, odla_element_type target_type,
                        const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_bitcast(input, target_type, value_id);
  });
}

}  // extern "C"
