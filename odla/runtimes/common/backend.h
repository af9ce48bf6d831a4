// What a runtime adds to the shared core in common/: its name and how it turns
// the recorded graph into the nodes a plan runs.
//
// Builders (shared) validate operands, infer result types and record each node
// with a portable kernel from the reference runtime and its parameters. When a
// computation is planned, lower() copies the live nodes and hands them to the
// runtime: first its graph-level `lower` hook (which may replace a region of
// nodes by one node, see replace_region), then its kernel table, node by node.
// A node nobody takes keeps its portable kernel, so every model runs on every
// runtime.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "graph.h"

namespace odla_rt {

// Gives `node` the runtime's own kernel (setting node.kernel, node.scratch_bytes,
// node.native) and returns true, or returns false to keep the portable kernel.
using KernelMaker = std::function<bool(const _odla_computation&, Node& node)>;

struct Backend {
  std::string name;                          // "reference", "dnnl", ...
  std::map<std::string, KernelMaker> kernels;  // ODLA function -> maker
  // Graph-level lowering run before the kernel table; may be empty.
  std::function<void(const _odla_computation&, std::vector<Node>&)> lower;
};

// The runtime's backend, defined once in the runtime's own folder.
const Backend& backend();

// The nodes a plan of `comp` runs: the live recorded nodes, lowered by backend().
std::vector<Node> lower(const _odla_computation& comp);

// Replaces nodes[region] (indices, ascending) by `fused`, placed where the last of
// them was. Sets fused.inputs to the values the region reads but does not produce
// and fused.outputs to the values it produces that are read after it or are
// computation outputs (in the order they were produced). Returns false and
// changes nothing when the region cannot be one node: a node between its first
// and last that is not in it reads one of its results.
bool replace_region(const _odla_computation& comp, std::vector<Node>& nodes,
                    const std::vector<int>& region, Node fused);

}  // namespace odla_rt
