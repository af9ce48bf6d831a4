// The XNNPACK runtime: maximal runs of consecutive nodes XNNPACK supports become
// one node each, running one XNNPACK subgraph (NHWC inside, created once at plan
// time, on a shared pthreadpool); everything else keeps its portable kernel.
#include <unordered_set>

#include "backend.h"
#include "region.h"

namespace odla_rt {
namespace {

using odla_xnn::Region;

// Values produced by nodes[begin, end) that later nodes or the caller read.
std::vector<const _odla_value*> region_outputs(const _odla_computation& comp,
                                               const std::vector<Node>& nodes, size_t begin,
                                               size_t end) {
  std::unordered_set<const _odla_value*> read_after(comp.outputs.begin(), comp.outputs.end());
  for (size_t i = end; i < nodes.size(); ++i)
    read_after.insert(nodes[i].inputs.begin(), nodes[i].inputs.end());
  std::vector<const _odla_value*> out;
  for (size_t i = begin; i < end; ++i)
    for (odla_value v : nodes[i].outputs)
      if (read_after.count(v) != 0) out.push_back(v);
  return out;
}

bool moves_only(const Node& n) { return n.op == "odla_Reshape" || n.op == "odla_Transpose"; }

// A region's reshapes at either end only copy: portable reshapes are views. A
// region that only moves data is left alone.
void trim(const std::vector<Node>& nodes, size_t* begin, size_t* end) {
  while (*begin < *end && nodes[*begin].op == "odla_Reshape") ++*begin;
  while (*end > *begin && nodes[*end - 1].op == "odla_Reshape") --*end;
  bool computes = false;
  for (size_t i = *begin; i < *end; ++i) computes = computes || !moves_only(nodes[i]);
  if (!computes) *end = *begin;
}

Kernel region_kernel(std::shared_ptr<Region> r) {
  return [r](const KernelIO& io) { r->run(io); };
}

// Points the region's bindings at the fused node's inputs and outputs.
bool bind(Region& r, const Node& n) {
  auto find = [](const std::vector<odla_value>& list, const _odla_value* v) {
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i] == v) return static_cast<int>(i);
    return -1;
  };
  for (auto& b : r.inputs)
    if ((b.io = find(n.inputs, b.value)) < 0) return false;
  for (auto& b : r.outputs)
    if ((b.io = find(n.outputs, b.value)) < 0) return false;
  return true;
}

void lower_regions(const _odla_computation& comp, std::vector<Node>& nodes) {
  if (!odla_xnn::ready()) return;
  size_t i = 0;
  while (i < nodes.size()) {
    const size_t reach = odla_xnn::region_extent(comp, nodes, i);
    size_t begin = i, end = reach;
    trim(nodes, &begin, &end);
    std::shared_ptr<Region> region;
    while (begin < end) {
      size_t failed = end;
      region = odla_xnn::build_region(comp, nodes, begin, end,
                                      region_outputs(comp, nodes, begin, end), &failed);
      if (region != nullptr || failed == begin || failed >= end) break;
      end = failed;  // XNNPACK rejected node `failed`: the region stops before it
      trim(nodes, &begin, &end);
    }
    if (region == nullptr) {
      i = std::max(reach, i + 1);
      continue;
    }
    Node fused;
    fused.op = "xnnpack_subgraph";
    fused.kernel = region_kernel(region);
    fused.scratch_bytes = region->scratch_bytes;
    // One elementwise op: XNNPACK reads each element before it writes it, so the
    // result may overwrite an input that dies here, as the portable kernel's may.
    const size_t num_inputs = nodes[begin].inputs.size();
    if (end - begin == 1) fused.inplace_input = nodes[begin].inplace_input;
    std::vector<int> members;
    for (size_t k = begin; k < end; ++k) members.push_back(static_cast<int>(k));
    if (!replace_region(comp, nodes, members, std::move(fused)) || !bind(*region, nodes[begin])) {
      // Cannot happen for consecutive nodes; leave them portable.
      i = end;
      continue;
    }
    if (nodes[begin].inputs.size() != num_inputs) nodes[begin].inplace_input = -1;  // Add(x, x)
    i = begin + 1;
  }
}

// A node the graph hook left (XNNPACK rejected it in a larger region) as a
// region of its own; reshapes stay portable views.
bool lower_one(const _odla_computation& comp, Node& node) {
  if (!odla_xnn::ready() || moves_only(node)) return false;
  std::vector<Node> one{node};
  std::vector<const _odla_value*> outs(node.outputs.begin(), node.outputs.end());
  size_t failed = 0;
  if (odla_xnn::region_extent(comp, one, 0) != 1) return false;
  auto region = odla_xnn::build_region(comp, one, 0, 1, outs, &failed);
  if (region == nullptr || !bind(*region, node)) return false;
  node.kernel = region_kernel(region);
  node.scratch_bytes = region->scratch_bytes;
  return true;
}

Backend make_backend() {
  Backend b;
  b.name = "xnnpack";
  for (const std::string& op : odla_xnn::supported_ops()) b.kernels[op] = lower_one;
  b.lower = lower_regions;
  return b;
}

}  // namespace

const Backend& backend() {
  static const Backend b = make_backend();
  return b;
}

}  // namespace odla_rt
