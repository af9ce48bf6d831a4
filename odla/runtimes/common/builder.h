// Helpers shared by the op builders of every runtime: operand validation, shape
// utilities and appending a node to the current computation.
#pragma once

#include <any>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "api.h"
#include "graph.h"

namespace odla_rt {

// The calling thread's current computation; throws when there is none.
_odla_computation& current();

// Checks that `v` is a value of the current computation; `what` names the
// operand in the error message.
odla_value operand(odla_value v, const char* what);
// Like operand(), but NULL is allowed (optional operand) and returned as is.
odla_value optional_operand(odla_value v, const char* what);

// Checks that extents are non-negative and that the byte size of the shape
// (with 8-byte elements) fits in size_t and stays below 2^59.
void check_extents(const Dims& dims, const char* what);
// Converts an ODLA shape (checks rank and non-negative extents).
Dims to_dims(const odla_value_shape& shape, const char* what);
// Checks that output_dims given by the caller equal the computed shape.
void check_output_dims(const odla_value_shape& given, const Dims& computed);
// Normalizes an axis in [-rank, rank) to [0, rank).
int normalize_axis(int64_t axis, int rank, const char* what);
// numpy broadcast of two shapes; throws when they are incompatible.
Dims broadcast_dims(const Dims& a, const Dims& b);

// Element strides of a dense row-major shape.
Dims dense_strides(const Dims& dims);

// The input of `v` viewed as [outer, dims[axis], inner].
struct AxisSplit {
  int64_t outer = 1, axis_len = 1, inner = 1;
};
AxisSplit split_at_axis(const Dims& dims, int axis);

struct NodeOptions {
  size_t scratch_bytes = 0;
  int inplace_input = -1;
  bool is_view = false;
  std::function<Kernel(const odla_ref::detail::Activation&)> with_clamp;  // see Node
  std::optional<odla_ref::detail::Activation> clamp;                      // see Node
  std::any params;                                                        // see Node
};

// Appends a node computing `kernel` and returns its outputs (types as given;
// ids from `ids`, NULL entries made up).
std::vector<odla_value> add_node(const char* op, std::vector<odla_value> inputs,
                                 const std::vector<TensorType>& output_types,
                                 const std::vector<const char*>& ids, Kernel kernel,
                                 const NodeOptions& options = {});

// Single-output form.
odla_value add_node(const char* op, std::vector<odla_value> inputs,
                    const TensorType& output_type, const odla_value_id id,
                    Kernel kernel, const NodeOptions& options = {});

std::string type_str(const TensorType& t);

}  // namespace odla_rt
