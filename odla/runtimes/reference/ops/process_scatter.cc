// odla_ScatterElements (HALO extension): copy of the input with updates
// written or combined at indexed positions. Updates apply in row-major order
// of the indices, so duplicates resolve deterministically.
#include <cstring>

#include "builder.h"
#include "indexing.h"

namespace odla_rt {
namespace {

template <class C>
C combine(odla_scatter_reduction r, C old, C update) {
  switch (r) {
    case ODLA_SCATTER_ADD: return static_cast<C>(old + update);
    case ODLA_SCATTER_MUL: return static_cast<C>(old * update);
    case ODLA_SCATTER_MAX: return old > update ? old : update;
    case ODLA_SCATTER_MIN: return old < update ? old : update;
    default: return update;
  }
}

odla_value build_scatter(odla_value input, odla_value indices, odla_value updates, int axis,
                         odla_scatter_reduction reduction, const odla_value_shape& output_dims,
                         const odla_value_id id) {
  odla_value x = operand(input, "input");
  odla_value idx = index_operand(indices);
  odla_value upd = operand(updates, "updates");
  const int a = normalize_axis(axis, x->type.rank(), "axis");
  const Dims& id_dims = idx->type.dims;
  if (upd->type.dims != id_dims || upd->type.dtype != x->type.dtype)
    fail("updates must have the indices' shape and the input's type");
  if (id_dims.size() != x->type.dims.size()) fail("indices must have the input's rank");
  for (size_t d = 0; d < id_dims.size(); ++d)
    if (static_cast<int>(d) != a && id_dims[d] > x->type.dims[d])
      fail("indices " + dims_str(id_dims) + " exceed input " + dims_str(x->type.dims));
  if (reduction < ODLA_SCATTER_NONE || reduction > ODLA_SCATTER_MIN) fail("unknown reduction");
  check_output_dims(output_dims, x->type.dims);
  const Dims x_strides = dense_strides(x->type.dims);
  const int64_t n = x->type.dims[a];
  const size_t bytes = x->type.bytes();
  const bool is64 = idx->type.dtype == ODLA_INT64;
  Kernel k = visit_dtype(x->type.dtype, [&](auto tag) -> Kernel {
    using T = typename decltype(tag)::type;
    if constexpr (kIsBool<T>) {
      if (reduction == ODLA_SCATTER_ADD || reduction == ODLA_SCATTER_MUL)
        fail("add/mul reductions need a numeric type");
    }
    return [=](const KernelIO& io) {
      T* y = io.output<T>(0);
      if (io.out[0] != io.in[0]) std::memcpy(y, io.in[0], bytes);
      const T* u = io.input<T>(2);
      const int64_t total = num_elements(id_dims);
      for (int64_t i = 0; i < total; ++i) {
        int64_t rest = i, offset = 0;
        for (size_t d = id_dims.size(); d-- > 0;) {
          const int64_t c = rest % id_dims[d];
          rest /= id_dims[d];
          if (static_cast<int>(d) != a) offset += c * x_strides[d];
        }
        T& dst = y[offset + read_index(io.in[1], is64, i, n) * x_strides[a]];
        dst = Num<T>::store(combine(reduction, Num<T>::load(dst), Num<T>::load(u[i])));
      }
    };
  });
  NodeOptions options;
  options.inplace_input = 0;
  return add_node("odla_ScatterElements", {x, idx, upd}, x->type, id, std::move(k), options);
}

}  // namespace
}  // namespace odla_rt

extern "C" odla_value odla_ScatterElements(odla_value input, odla_value indices,
                                           odla_value updates, odla_int32 axis,
                                           odla_scatter_reduction reduction,
                                           odla_value_shape output_dims,
                                           const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_scatter(input, indices, updates, axis, reduction, output_dims,
                                  value_id);
  });
}
