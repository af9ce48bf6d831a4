// Index operands shared by the gather/scatter builders.
#pragma once

#include <cstdint>

#include "graph.h"

namespace odla_rt {

// Reads element i of an int32 (is64 false) or int64 index tensor, adds n to
// a negative index and throws std::out_of_range unless it lies in [0, n).
int64_t read_index(const void* data, bool is64, int64_t i, int64_t n);

// Checks an int32/int64 index operand of the current computation.
odla_value index_operand(odla_value v);

}  // namespace odla_rt
