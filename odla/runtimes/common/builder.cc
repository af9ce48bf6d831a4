#include "builder.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

namespace odla_rt {

_odla_computation& current() {
  _odla_computation* c = current_computation();
  if (c == nullptr)
    fail("no current computation on this thread (call odla_CreateComputation "
         "or odla_SetCurrentComputation first)");
  return *c;
}

odla_value operand(odla_value v, const char* what) {
  if (v == nullptr) fail(std::string("operand '") + what + "' is NULL");
  return optional_operand(v, what);
}

odla_value optional_operand(odla_value v, const char* what) {
  if (v != nullptr && v->computation != &current())
    fail(std::string("operand '") + what +
         "' belongs to another computation than the current one");
  return v;
}

void check_extents(const Dims& dims, const char* what) {
  // Byte sizes (8-byte elements) must fit in int64_t and size_t.
  constexpr int64_t kLimit =
      static_cast<int64_t>(std::min<uint64_t>(uint64_t{1} << 56, SIZE_MAX / 8));
  int64_t count = 1;
  for (int64_t d : dims) {
    if (d < 0) fail(std::string(what) + ": negative dimension in " + dims_str(dims));
    if (d != 0 && count > kLimit / d) fail(std::string(what) + ": " + dims_str(dims) + " is too large");
    count = d == 0 ? 0 : count * d;
  }
}

Dims to_dims(const odla_value_shape& shape, const char* what) {
  if (shape.size < 0 || shape.size > ODLA_MAX_DIMENSION)
    fail(std::string(what) + ": rank " + std::to_string(shape.size) +
         " is outside [0, " + std::to_string(ODLA_MAX_DIMENSION) + "]");
  Dims dims(shape.dims, shape.dims + shape.size);
  check_extents(dims, what);
  return dims;
}

void check_output_dims(const odla_value_shape& given, const Dims& computed) {
  const Dims dims = to_dims(given, "output_dims");
  if (dims != computed)
    fail("output_dims " + dims_str(dims) + " differ from the computed shape " +
         dims_str(computed));
}

int normalize_axis(int64_t axis, int rank, const char* what) {
  if (axis < -rank || axis >= rank)
    fail(std::string(what) + " " + std::to_string(axis) +
         " is out of range for rank " + std::to_string(rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

Dims broadcast_dims(const Dims& a, const Dims& b) {
  const size_t rank = std::max(a.size(), b.size());
  Dims out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      fail("shapes " + dims_str(a) + " and " + dims_str(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Dims dense_strides(const Dims& dims) {
  Dims strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return strides;
}

AxisSplit split_at_axis(const Dims& dims, int axis) {
  AxisSplit s;
  for (int i = 0; i < static_cast<int>(dims.size()); ++i) {
    if (i < axis) s.outer *= dims[i];
    if (i == axis) s.axis_len = dims[i];
    if (i > axis) s.inner *= dims[i];
  }
  return s;
}

std::vector<odla_value> add_node(const char* op, std::vector<odla_value> inputs,
                                 const std::vector<TensorType>& output_types,
                                 const std::vector<const char*>& ids, Kernel kernel,
                                 const NodeOptions& options) {
  _odla_computation& comp = current();
  for (const TensorType& t : output_types) {
    if (t.rank() > ODLA_MAX_DIMENSION) fail("result rank exceeds ODLA_MAX_DIMENSION");
    check_extents(t.dims, "result shape");
  }
  Node node;
  node.op = op;
  node.inputs = std::move(inputs);
  node.kernel = std::move(kernel);
  node.scratch_bytes = options.scratch_bytes;
  node.inplace_input = options.inplace_input;
  node.is_view = options.is_view;
  node.with_clamp = options.with_clamp;
  node.clamp = options.clamp;
  node.params = options.params;
  // Check all ids before creating any value, so a failure leaves no trace.
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == nullptr) continue;
    bool repeated = comp.by_id.count(ids[i]) != 0;
    for (size_t j = 0; j < i; ++j)
      repeated = repeated || (ids[j] != nullptr && std::strcmp(ids[i], ids[j]) == 0);
    if (repeated) fail(std::string("value id '") + ids[i] + "' is already used");
  }
  comp.nodes.reserve(comp.nodes.size() + 1);
  for (size_t i = 0; i < output_types.size(); ++i)
    node.outputs.push_back(comp.add_value(i < ids.size() ? ids[i] : nullptr,
                                          output_types[i], ValueKind::kNodeOutput));
  comp.nodes.push_back(std::move(node));
  comp.graph_changed();
  return comp.nodes.back().outputs;
}

odla_value add_node(const char* op, std::vector<odla_value> inputs,
                    const TensorType& output_type, const odla_value_id id,
                    Kernel kernel, const NodeOptions& options) {
  return add_node(op, std::move(inputs), std::vector<TensorType>{output_type},
                  {reinterpret_cast<const char*>(id)}, std::move(kernel), options)[0];
}

std::string type_str(const TensorType& t) {
  return std::string(dtype_name(t.dtype)) + dims_str(t.dims);
}

}  // namespace odla_rt
