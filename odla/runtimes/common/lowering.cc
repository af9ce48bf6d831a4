#include <algorithm>
#include <unordered_set>

#include "backend.h"

namespace odla_rt {

std::vector<Node> lower(const _odla_computation& comp) {
  std::vector<bool> needed(comp.values.size(), false), live(comp.nodes.size(), false);
  for (odla_value o : comp.outputs) needed[o->index] = true;
  for (size_t i = comp.nodes.size(); i-- > 0;) {
    const Node& n = comp.nodes[i];
    for (odla_value o : n.outputs) live[i] = live[i] || needed[o->index];
    if (live[i])
      for (odla_value v : n.inputs) needed[v->index] = true;
  }
  std::vector<Node> nodes;
  for (size_t i = 0; i < comp.nodes.size(); ++i)
    if (live[i]) nodes.push_back(comp.nodes[i]);
  const Backend& b = backend();
  if (b.lower) b.lower(comp, nodes);
  for (Node& n : nodes) {
    if (n.native) continue;
    auto it = b.kernels.find(n.op);
    if (it != b.kernels.end() && it->second(comp, n)) n.native = true;
  }
  for (Node& n : nodes)
    if (n.native) n.with_clamp = nullptr;  // the portable kernel's fusion no longer applies
  return nodes;
}

bool replace_region(const _odla_computation& comp, std::vector<Node>& nodes,
                    const std::vector<int>& region, Node fused) {
  if (region.empty()) return false;
  std::unordered_set<const _odla_value*> produced, read_inside;
  std::unordered_set<int> members(region.begin(), region.end());
  fused.inputs.clear();
  fused.outputs.clear();
  for (int i : region) {
    for (odla_value v : nodes[i].inputs)
      if (produced.count(v) == 0 && read_inside.insert(v).second) fused.inputs.push_back(v);
    for (odla_value v : nodes[i].outputs) produced.insert(v);
  }
  std::unordered_set<const _odla_value*> read_after;
  for (int i = region.front(); i < static_cast<int>(nodes.size()); ++i) {
    if (members.count(i) != 0) continue;
    for (odla_value v : nodes[i].inputs) {
      if (produced.count(v) == 0) continue;
      // Only values produced by region nodes before i are visible to it.
      if (i < region.back()) return false;
      read_after.insert(v);
    }
  }
  for (odla_value o : comp.outputs)
    if (produced.count(o) != 0) read_after.insert(o);
  for (int i : region)
    for (odla_value v : nodes[i].outputs)
      if (read_after.count(v) != 0) fused.outputs.push_back(v);
  fused.native = true;
  nodes[region.back()] = std::move(fused);
  for (auto it = region.rbegin() + 1; it != region.rend(); ++it) nodes.erase(nodes.begin() + *it);
  return true;
}

}  // namespace odla_rt
