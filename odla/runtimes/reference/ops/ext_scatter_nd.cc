// odla_ScatterND (HALO extension, odla_ops_ext.h): ONNX ScatterND. Each index
// tuple of depth q addresses a slice input[i0, ..., iq-1, :, ...]; the slice
// is overwritten or combined elementwise with its updates, in row-major
// order of the index tuples so duplicates resolve deterministically.
#include <algorithm>
#include <cstring>

#include "builder.h"
#include "indexing.h"

namespace odla_rt {
namespace {

template <class C>
C combine_nd(odla_scatter_reduction r, C old, C update) {
  switch (r) {
    case ODLA_SCATTER_ADD: return static_cast<C>(old + update);
    case ODLA_SCATTER_MUL: return static_cast<C>(old * update);
    case ODLA_SCATTER_MAX: return old > update ? old : update;
    case ODLA_SCATTER_MIN: return old < update ? old : update;
    default: return update;
  }
}

odla_value build_scatter_nd(odla_value input, odla_value indices, odla_value updates,
                            odla_scatter_reduction reduction, const odla_value_shape& output_dims,
                            const odla_value_id id) {
  odla_value x = operand(input, "input");
  odla_value idx = index_operand(indices);
  odla_value upd = operand(updates, "updates");
  const Dims& xd = x->type.dims;
  const Dims& id_dims = idx->type.dims;
  if (id_dims.empty()) fail("indices must have rank >= 1");
  const int64_t depth = id_dims.back();
  if (depth > static_cast<int64_t>(xd.size())) fail("index depth exceeds the input rank");
  Dims want(id_dims.begin(), id_dims.end() - 1);
  want.insert(want.end(), xd.begin() + depth, xd.end());
  if (upd->type.dims != want || upd->type.dtype != x->type.dtype)
    fail("updates must be " + dims_str(want) + " of the input's type, got " + type_str(upd->type));
  if (reduction < ODLA_SCATTER_NONE || reduction > ODLA_SCATTER_MIN) fail("unknown reduction");
  check_output_dims(output_dims, xd);
  const Dims strides = dense_strides(xd);
  int64_t slice = 1;
  for (size_t d = static_cast<size_t>(depth); d < xd.size(); ++d) slice *= xd[d];
  const int64_t tuples = depth == 0 ? num_elements(want) / std::max<int64_t>(slice, 1)
                                    : num_elements(id_dims) / depth;
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
      for (int64_t t = 0; t < tuples; ++t) {
        int64_t offset = 0;
        for (int64_t d = 0; d < depth; ++d)
          offset += read_index(io.in[1], is64, t * depth + d, xd[d]) * strides[d];
        for (int64_t j = 0; j < slice; ++j) {
          T& dst = y[offset + j];
          dst = Num<T>::store(combine_nd(reduction, Num<T>::load(dst), Num<T>::load(u[t * slice + j])));
        }
      }
    };
  });
  NodeOptions options;
  options.inplace_input = 0;
  return add_node("odla_ScatterND", {x, idx, upd}, x->type, id, std::move(k), options);
}

}  // namespace
}  // namespace odla_rt

extern "C" odla_value odla_ScatterND(odla_value input, odla_value indices, odla_value updates,
                                     odla_scatter_reduction reduction,
                                     odla_value_shape output_dims, const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_scatter_nd(input, indices, updates, reduction, output_dims, value_id);
  });
}
