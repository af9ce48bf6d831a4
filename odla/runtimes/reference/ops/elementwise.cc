#include "elementwise.h"

namespace odla_rt {

void throw_type_mismatch(const char* op, odla_value a, odla_value b) {
  fail(std::string(op) + " operands have different element types: " + type_str(a->type) +
       " and " + type_str(b->type));
}

void throw_unsupported_type(const char* op, odla_element_type t) {
  fail(std::string(op) + " does not accept element type " + dtype_name(t));
}

NodeOptions binary_options(odla_value a, odla_value b, const Dims& out, size_t size) {
  NodeOptions options;
  if (a->type.dims == out && element_size(a->type.dtype) == size)
    options.inplace_input = 0;
  else if (b->type.dims == out && element_size(b->type.dtype) == size)
    options.inplace_input = 1;
  return options;
}

}  // namespace odla_rt
