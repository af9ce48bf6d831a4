// odla_TopK: the K largest or smallest elements along an axis, with indices.
#include <algorithm>
#include <numeric>

#include "builder.h"
#include "kernels/parallel.h"

namespace odla_rt {
namespace {

template <class T, class I>
Kernel topk_kernel(AxisSplit s, int64_t k, bool largest) {
  return [s, k, largest](const KernelIO& io) {
    const T* x = io.input<T>(0);
    T* values = io.output<T>(0);
    I* indices = io.output<I>(1);
    odla_ref::parallel_for(s.outer * s.inner, [&](int64_t begin, int64_t end) {
      std::vector<int64_t> order(s.axis_len);
      for (int64_t r = begin; r < end; ++r) {
        const int64_t o = r / s.inner, i = r % s.inner;
        const T* row = x + o * s.axis_len * s.inner + i;
        auto at = [&](int64_t j) { return Num<T>::load(row[j * s.inner]); };
        // NaN orders above every number; ties keep the lower index first.
        auto before = [&](int64_t a, int64_t b) {
          const auto va = at(a), vb = at(b);
          const bool na = is_nan(va), nb = is_nan(vb);
          if (na || nb) {
            if (na != nb) return largest ? na : nb;
            return a < b;
          }
          if (va != vb) return largest ? va > vb : va < vb;
          return a < b;
        };
        std::iota(order.begin(), order.end(), int64_t{0});
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
        const int64_t out_base = o * k * s.inner + i;
        for (int64_t j = 0; j < k; ++j) {
          values[out_base + j * s.inner] = row[order[j] * s.inner];
          indices[out_base + j * s.inner] = static_cast<I>(order[j]);
        }
      }
    }, 64);
  };
}

odla_values build_topk(odla_value input, odla_uint32 K, bool largest, odla_uint32 axis,
                       const odla_value_type& value_type, const odla_value_type& index_type,
                       const odla_value_ids& ids) {
  odla_value x = operand(input, "input");
  if (axis >= static_cast<odla_uint32>(x->type.rank()))
    fail("axis " + std::to_string(axis) + " is out of range for " + type_str(x->type));
  const AxisSplit s = split_at_axis(x->type.dims, static_cast<int>(axis));
  if (K > static_cast<uint64_t>(s.axis_len))
    fail("K = " + std::to_string(K) + " exceeds the axis length " + std::to_string(s.axis_len));
  if (value_type.element_type != x->type.dtype) fail("output_value_type must match the input");
  const odla_element_type it = index_type.element_type;
  if (it != ODLA_INT32 && it != ODLA_INT64) fail("index type must be int32 or int64");
  if (ids.size > ODLA_MAX_OUTPUTS) fail("value_ids.size exceeds ODLA_MAX_OUTPUTS");
  Dims out = x->type.dims;
  out[axis] = K;
  std::vector<const char*> names;
  for (size_t i = 0; i < ids.size && i < 2; ++i)
    names.push_back(reinterpret_cast<const char*>(ids.value_ids[i]));
  Kernel k = visit_dtype(x->type.dtype, [&](auto tag) -> Kernel {
    using T = typename decltype(tag)::type;
    if (it == ODLA_INT32) return topk_kernel<T, int32_t>(s, K, largest);
    return topk_kernel<T, int64_t>(s, K, largest);
  });
  const std::vector<odla_value> results = add_node(
      "odla_TopK", {x}, {TensorType{x->type.dtype, out}, TensorType{it, out}}, names, std::move(k));
  odla_values values{};
  values.size = results.size();
  std::copy(results.begin(), results.end(), values.values);
  return values;
}

}  // namespace
}  // namespace odla_rt

extern "C" odla_values odla_TopK(odla_value input, odla_uint32 K, odla_bool largest,
                                 odla_bool /*sorted*/, odla_uint32 axis,
                                 odla_value_type output_value_type,
                                 odla_value_type output_value_index_type,
                                 const odla_value_ids value_ids) {
  odla_values result{};
  const odla_value first = odla_rt::guard_build(__func__, [&] {
    result = odla_rt::build_topk(input, K, largest != 0, axis, output_value_type,
                                 output_value_index_type, value_ids);
    return result.values[0];
  });
  if (first == nullptr) result = odla_values{};
  return result;
}
