// Operators along one axis: ArgMax, ArgMin, CumSum.
#include "builder.h"
#include "kernels/parallel.h"

namespace odla_rt {
namespace {

template <class T, class I>
Kernel arg_kernel(AxisSplit s, bool is_max, bool last_index) {
  return [s, is_max, last_index](const KernelIO& io) {
    const T* x = io.input<T>(0);
    I* y = io.output<I>(0);
    odla_ref::parallel_for(s.outer * s.inner, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t o = r / s.inner, i = r % s.inner;
        const T* p = x + o * s.axis_len * s.inner + i;
        int64_t best = 0;
        auto bv = Num<T>::load(p[0]);
        for (int64_t k = 1; k < s.axis_len; ++k) {
          const auto v = Num<T>::load(p[k * s.inner]);
          if (is_nan(bv)) break;  // a NaN wins (first occurrence)
          const bool better = is_nan(v) || (is_max ? (last_index ? v >= bv : v > bv)
                                                   : (last_index ? v <= bv : v < bv));
          if (better) {
            best = k;
            bv = v;
          }
        }
        y[r] = static_cast<I>(best);
      }
    }, 1024);
  };
}

odla_value build_arg(const char* name, bool is_max, odla_value input, odla_int32 axis,
                     odla_bool keep_dims, odla_bool last_index, odla_value_type out_type,
                     const odla_value_id id) {
  odla_value x = operand(input, "input");
  const int a = normalize_axis(axis, x->type.rank(), "axis");
  const AxisSplit s = split_at_axis(x->type.dims, a);
  if (s.axis_len == 0) fail("cannot take the arg-extremum of an empty axis");
  Dims out = x->type.dims;
  if (keep_dims)
    out[a] = 1;
  else
    out.erase(out.begin() + a);
  const odla_element_type it = out_type.element_type;
  if (it != ODLA_INT32 && it != ODLA_INT64) fail("result type must be int32 or int64");
  return visit_dtype(x->type.dtype, [&](auto tag) -> odla_value {
    using T = typename decltype(tag)::type;
    if constexpr (kIsNumeric<T>) {
      Kernel k = it == ODLA_INT32 ? arg_kernel<T, int32_t>(s, is_max, last_index != 0)
                                  : arg_kernel<T, int64_t>(s, is_max, last_index != 0);
      return add_node(name, {x}, TensorType{it, out}, id, std::move(k));
    } else {
      fail(std::string(name) + " does not accept element type " + dtype_name(x->type.dtype));
    }
  });
}

// Reads the constant scalar axis operand of CumSum.
int64_t constant_axis(odla_value axis) {
  if (axis->kind != ValueKind::kConstant || axis->type.numel() != 1)
    fail("axis must be a constant with one element");
  if (axis->type.dtype == ODLA_INT32) return *static_cast<const int32_t*>(axis->constant_data);
  if (axis->type.dtype == ODLA_INT64) return *static_cast<const int64_t*>(axis->constant_data);
  fail("axis must be int32 or int64");
}

odla_value build_cumsum(odla_value input, odla_value axis_value, bool exclusive, bool reverse,
                        const odla_value_id id) {
  odla_value x = operand(input, "input");
  const int a = normalize_axis(constant_axis(operand(axis_value, "axis")), x->type.rank(), "axis");
  const AxisSplit s = split_at_axis(x->type.dims, a);
  return visit_dtype(x->type.dtype, [&](auto tag) -> odla_value {
    using T = typename decltype(tag)::type;
    if constexpr (kIsNumeric<T>) {
      Kernel k = [s, exclusive, reverse](const KernelIO& io) {
        using Acc = std::conditional_t<kIsFloat<T>, double, typename Num<T>::C>;
        const T* x = io.input<T>(0);
        T* y = io.output<T>(0);
        odla_ref::parallel_for(s.outer * s.inner, [&](int64_t begin, int64_t end) {
          for (int64_t r = begin; r < end; ++r) {
            const int64_t base = (r / s.inner) * s.axis_len * s.inner + r % s.inner;
            Acc acc = 0;
            for (int64_t k = 0; k < s.axis_len; ++k) {
              const int64_t i = base + (reverse ? s.axis_len - 1 - k : k) * s.inner;
              const Acc v = static_cast<Acc>(Num<T>::load(x[i]));
              if (!exclusive) acc += v;
              y[i] = kIsFloat<T> ? from_double<T>(static_cast<double>(acc))
                                 : Num<T>::store(static_cast<typename Num<T>::C>(acc));
              if (exclusive) acc += v;
            }
          }
        }, 256);
      };
      return add_node("odla_CumSum", {x}, x->type, id, std::move(k));
    } else {
      fail("odla_CumSum does not accept element type " + std::string(dtype_name(x->type.dtype)));
    }
  });
}

}  // namespace
}  // namespace odla_rt

extern "C" {

odla_value odla_ArgMax(odla_value input, odla_int32 axis, odla_bool keep_dims,
                       odla_bool return_last_index, odla_value_type output_value_type,
                       const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&, fn = __func__] {
    return odla_rt::build_arg(fn, true, input, axis, keep_dims, return_last_index,
                              output_value_type, id);
  });
}

odla_value odla_ArgMin(odla_value input, odla_int32 axis, odla_bool keep_dims,
                       odla_bool return_last_index, odla_value_type output_value_type,
                       const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&, fn = __func__] {
    return odla_rt::build_arg(fn, false, input, axis, keep_dims, return_last_index,
                              output_value_type, id);
  });
}

odla_value odla_CumSum(odla_value input, odla_value axis, odla_bool exclusion,
                       odla_bool reverse, const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_cumsum(input, axis, exclusion != 0, reverse != 0, id);
  });
}

}  // extern "C"
