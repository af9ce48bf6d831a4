// Shape-changing data movement: Reshape (a view), Transpose, ExpandDims
// (broadcast_to), Tile. All element types.
#include "builder.h"
#include "copy.h"

namespace odla_rt {
namespace {

odla_value build_reshape(odla_value input, const odla_value_shape& dims, const odla_value_id id) {
  odla_value x = operand(input, "input");
  const Dims out = to_dims(dims, "output_dims");
  if (num_elements(out) != x->type.numel())
    fail("cannot reshape " + type_str(x->type) + " to " + dims_str(out));
  NodeOptions options;
  options.is_view = true;
  return add_node("odla_Reshape", {x}, TensorType{x->type.dtype, out}, id,
                  [](const KernelIO&) {}, options);
}

odla_value build_transpose(odla_value input, const odla_value_shape& perm_shape,
                           const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value x = operand(input, "input");
  const int rank = x->type.rank();
  const Dims perm = to_dims(perm_shape, "permutations");
  if (static_cast<int>(perm.size()) != rank)
    fail("permutation " + dims_str(perm) + " does not match rank " + std::to_string(rank));
  std::vector<bool> seen(rank, false);
  const Dims in_strides = dense_strides(x->type.dims);
  Dims out(rank), strides(rank);
  for (int i = 0; i < rank; ++i) {
    if (perm[i] >= rank || seen[perm[i]]) fail("invalid permutation " + dims_str(perm));
    seen[perm[i]] = true;
    out[i] = x->type.dims[perm[i]];
    strides[i] = in_strides[perm[i]];
  }
  check_output_dims(output_dims, out);
  NodeOptions options;
  options.params = perm;  // Dims: the permutation, for runtimes' kernel tables
  return add_node("odla_Transpose", {x}, TensorType{x->type.dtype, out}, id,
                  strided_copy_kernel(element_size(x->type.dtype),
                                      BroadcastLoop::with_strides(out, {strides}), 0),
                  options);
}

odla_value build_expand(odla_value input, const odla_value_shape& output_dims,
                        const odla_value_id id) {
  odla_value x = operand(input, "input");
  const Dims out = to_dims(output_dims, "output_dims");
  if (broadcast_dims(x->type.dims, out) != out)
    fail(type_str(x->type) + " does not broadcast to " + dims_str(out));
  return add_node("odla_ExpandDims", {x}, TensorType{x->type.dtype, out}, id,
                  strided_copy_kernel(element_size(x->type.dtype),
                                      BroadcastLoop(out, {x->type.dims}), 0));
}

odla_value build_tile(odla_value input, const odla_uint32* repeat,
                      const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value x = operand(input, "input");
  if (repeat == nullptr && x->type.rank() != 0) fail("repeat is NULL");
  IndexMap map;
  map.in_strides = dense_strides(x->type.dims);
  for (int d = 0; d < x->type.rank(); ++d) {
    const int64_t n = x->type.dims[d];
    if (repeat[d] != 0 && n > (int64_t{1} << 40) / repeat[d]) fail("repeat is too large");
    map.out_dims.push_back(n * repeat[d]);
    std::vector<int64_t> m(map.out_dims.back());
    for (int64_t j = 0; j < static_cast<int64_t>(m.size()); ++j) m[j] = j % n;
    map.maps.push_back(std::move(m));
  }
  const Dims out = map.out_dims;
  check_output_dims(output_dims, out);
  return add_node("odla_Tile", {x}, TensorType{x->type.dtype, out}, id,
                  index_map_kernel(element_size(x->type.dtype), std::move(map), {}));
}

}  // namespace
}  // namespace odla_rt

using odla_rt::guard_build;

extern "C" {

odla_value odla_Reshape(odla_value input, odla_value_shape output_dims, const odla_value_id id) {
  return guard_build(__func__, [&] { return odla_rt::build_reshape(input, output_dims, id); });
}

odla_value odla_Transpose(odla_value input, odla_value_shape permutations,
                          odla_value_shape output_dims, const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_transpose(input, permutations, output_dims, id);
  });
}

odla_value odla_ExpandDims(odla_value input, odla_value_shape output_dims,
                           const odla_value_id id) {
  return guard_build(__func__, [&] { return odla_rt::build_expand(input, output_dims, id); });
}

odla_value odla_Tile(odla_value input, const odla_uint32* repeat, odla_value_shape output_dims,
                     const odla_value_id id) {
  return guard_build(__func__, [&] { return odla_rt::build_tile(input, repeat, output_dims, id); });
}

}  // extern "C"
