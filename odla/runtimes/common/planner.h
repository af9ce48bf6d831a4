// Execution plan of a computation: which nodes run, in what order, and where
// every value lives (activation arena offset, bound argument/output buffer or
// constant data).
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "graph.h"

namespace odla_rt {

struct Slot {
  enum Kind : uint8_t { kUnused, kArena, kArgument, kConstant, kOutput };
  Kind kind = kUnused;
  size_t offset = 0;             // kArena: byte offset in the arena
  int index = 0;                 // kArgument / kOutput: position in the list
  const void* data = nullptr;    // kConstant
};

struct Step {
  Kernel kernel;
  std::vector<int> inputs;   // value indices
  std::vector<int> outputs;  // value indices
  size_t scratch_offset = 0;
  int node = 0;  // index in the plan's nodes (names it in profiles)
};

struct Plan {
  std::vector<Node> nodes;  // the lowered nodes (backend.h); steps index them
  std::vector<Slot> slots;  // by value index
  std::vector<Step> steps;  // nodes to run, in order (no-op views dropped)
  // Outputs whose value lives elsewhere: (value index, output index), copied
  // after the last step.
  std::vector<std::pair<int, int>> copies;
  size_t arena_bytes = 0;
};

// The computation's plan, built on first use (thread-safe). Throws when the
// computation recorded a build error.
std::shared_ptr<const Plan> get_plan(_odla_computation& computation);

// One block of the arena: `bytes` needed from step `first` to `last`.
struct Block {
  size_t bytes = 0;
  int first = 0, last = 0;
  size_t offset = 0;  // result
};
// Places blocks so that blocks alive at the same step never overlap, reusing
// freed space (greedy by size, best-fitting gap); returns the arena size.
// Offsets are multiples of 64.
size_t place_blocks(std::vector<Block>& blocks);

}  // namespace odla_rt
