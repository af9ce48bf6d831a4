// Type-agnostic data movement used by the process operators: strided copies
// (transpose, slice, broadcast) and per-dimension index maps (tile, pad).
#pragma once

#include <memory>
#include <vector>

#include "broadcast.h"
#include "graph.h"

namespace odla_rt {

// Kernel: out[i] = in0[base + walk(i)] over `loop` (one operand), copying
// elements of `element_size` bytes.
Kernel strided_copy_kernel(size_t element_size, BroadcastLoop loop, int64_t base);

// For every output dimension d, maps[d][j] is the input index that output
// index j reads along d, or -1 for "fill value".
struct IndexMap {
  Dims out_dims;
  Dims in_strides;
  std::vector<std::vector<int64_t>> maps;
};

// Kernel: gathers input elements per `map`; positions mapped to -1 get the
// `element_size` bytes at `fill` (ignored when no position maps to -1).
Kernel index_map_kernel(size_t element_size, IndexMap map, std::vector<unsigned char> fill);

}  // namespace odla_rt
