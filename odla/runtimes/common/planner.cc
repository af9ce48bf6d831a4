// Builds the execution plan: drops nodes that no output needs, fuses a Relu or
// Clamp into the node before it where that node can apply it (convolution) and
// nothing else reads the unclamped value, groups values
// that share storage (reshape views, fused clamps, in-place elementwise results), gives
// groups that hold a computation output the caller's buffer, and places the
// remaining groups plus per-node scratch in one arena by liveness.
#include "planner.h"

#include <algorithm>
#include <climits>
#include <unordered_map>

#include "api.h"
#include "backend.h"

namespace odla_rt {
namespace {

struct Group {
  int parent = 0;
  int first = INT_MAX;  // first step touching the storage
  int last = -1;        // last step reading it (node count: until the end)
  bool has_output = false;
  size_t bytes = 0;
};

class Planner {
 public:
  Planner(const _odla_computation& c, const std::vector<Node>& nodes)
      : comp_(c), nodes_(nodes), num_nodes_(static_cast<int>(nodes.size())) {}

  std::shared_ptr<Plan> run() {
    mark_live();
    fuse_clamps();
    init_groups();
    for (int i = 0; i < num_nodes_; ++i) {
      const Node& n = nodes_[i];
      if (live_node_[i] && is_view(i)) unite(n.inputs[0]->index, n.outputs[0]->index);
    }
    for (int i = 0; i < num_nodes_; ++i) try_in_place(i);
    auto plan = std::make_shared<Plan>();
    assign(*plan);
    return plan;
  }

 private:
  void mark_live() {
    live_node_.assign(num_nodes_, false);
    live_value_.assign(comp_.values.size(), false);
    for (odla_value o : comp_.outputs) live_value_[o->index] = true;
    for (int i = num_nodes_; i-- > 0;) {
      const Node& n = nodes_[i];
      for (odla_value o : n.outputs) live_node_[i] = live_node_[i] || live_value_[o->index];
      if (!live_node_[i]) continue;
      for (odla_value o : n.outputs) live_value_[o->index] = true;
      for (odla_value v : n.inputs) live_value_[v->index] = true;
    }
  }

  bool is_view(int i) const { return nodes_[i].is_view || fused_view_[i]; }

  // A live clamp node j whose one input is output 0 of a node i that can apply
  // the clamp itself, read by nothing but j and not a computation output: i
  // gets the fused kernel, j becomes a view of i's output. Decided per plan, so
  // nodes recorded later that read i's output undo it.
  void fuse_clamps() {
    fused_view_.assign(num_nodes_, false);
    fused_kernel_.assign(num_nodes_, Kernel());
    std::vector<int> producer(comp_.values.size(), -1), readers(comp_.values.size(), 0);
    for (int i = 0; i < num_nodes_; ++i) {
      if (!live_node_[i]) continue;
      for (odla_value v : nodes_[i].inputs) ++readers[v->index];
      if (!nodes_[i].outputs.empty()) producer[nodes_[i].outputs[0]->index] = i;
    }
    for (odla_value o : comp_.outputs) ++readers[o->index];
    for (int j = 0; j < num_nodes_; ++j) {
      const Node& c = nodes_[j];
      if (!live_node_[j] || !c.clamp || c.inputs.size() != 1 || c.outputs.size() != 1) continue;
      const int v = c.inputs[0]->index, i = producer[v];
      if (i < 0 || readers[v] != 1 || !nodes_[i].with_clamp || fused_view_[i]) continue;
      const TensorType& a = comp_.values[v]->type;
      const TensorType& b = c.outputs[0]->type;
      if (a.dtype != ODLA_FLOAT32 || b.dtype != a.dtype || b.dims != a.dims) continue;
      fused_kernel_[i] = nodes_[i].with_clamp(*c.clamp);
      fused_view_[j] = true;
    }
  }

  void init_groups() {
    groups_.resize(comp_.values.size());
    for (size_t v = 0; v < groups_.size(); ++v) {
      groups_[v].parent = static_cast<int>(v);
      groups_[v].bytes = comp_.values[v]->type.bytes();
    }
    for (int i = 0; i < num_nodes_; ++i) {
      if (!live_node_[i]) continue;
      for (odla_value v : nodes_[i].inputs) touch(v->index, i);
      for (odla_value v : nodes_[i].outputs) touch(v->index, i);
    }
    for (odla_value o : comp_.outputs) {
      touch(o->index, num_nodes_);
      groups_[o->index].has_output = true;
    }
  }

  void touch(int v, int step) {
    groups_[v].first = std::min(groups_[v].first, step);
    groups_[v].last = std::max(groups_[v].last, step);
  }

  int find(int v) {
    while (groups_[v].parent != v) v = groups_[v].parent = groups_[groups_[v].parent].parent;
    return v;
  }

  // Merges the group of `other` into the group of `keep` (whose root stays).
  void unite(int keep, int other) {
    const int a = find(keep), b = find(other);
    if (a == b) return;
    Group& g = groups_[a];
    const Group& h = groups_[b];
    g.first = std::min(g.first, h.first);
    g.last = std::max(g.last, h.last);
    g.has_output = g.has_output || h.has_output;
    g.bytes = std::max(g.bytes, h.bytes);
    groups_[b].parent = a;
  }

  ValueKind root_kind(int group) const { return comp_.values[group]->kind; }

  // Lets node i write its output over input `inplace_input` when that input's
  // storage is an intermediate that nothing reads after node i.
  void try_in_place(int i) {
    const Node& n = nodes_[i];
    if (!live_node_[i] || is_view(i) || n.inplace_input < 0) return;
    const int g = find(n.inputs[n.inplace_input]->index);
    const Group& grp = groups_[g];
    if (root_kind(g) != ValueKind::kNodeOutput || grp.has_output || grp.last != i) return;
    for (size_t k = 0; k < n.inputs.size(); ++k)
      if (static_cast<int>(k) != n.inplace_input && find(n.inputs[k]->index) == g) return;
    if (groups_[find(n.outputs[0]->index)].bytes != grp.bytes) return;
    unite(g, n.outputs[0]->index);
  }

  void assign(Plan& plan) {
    const size_t nv = comp_.values.size();
    std::unordered_map<const _odla_value*, int> arg_index;
    for (size_t i = 0; i < comp_.arguments.size(); ++i)
      arg_index[comp_.arguments[i]] = static_cast<int>(i);
    std::vector<Slot> group_slot(nv);
    for (size_t oi = 0; oi < comp_.outputs.size(); ++oi) {
      const int v = comp_.outputs[oi]->index, g = find(v);
      if (root_kind(g) == ValueKind::kNodeOutput && group_slot[g].kind == Slot::kUnused) {
        group_slot[g].kind = Slot::kOutput;
        group_slot[g].index = static_cast<int>(oi);
      } else {
        plan.copies.emplace_back(v, static_cast<int>(oi));
      }
    }
    std::vector<Block> blocks;
    std::vector<int> block_owner;  // group index, or -1 - step for scratch
    for (size_t v = 0; v < nv; ++v) {
      if (!live_value_[v] || find(static_cast<int>(v)) != static_cast<int>(v)) continue;
      Slot& s = group_slot[v];
      const _odla_value& val = *comp_.values[v];
      if (val.kind == ValueKind::kArgument) {
        s.kind = Slot::kArgument;
        s.index = arg_index.at(&val);
      } else if (val.kind == ValueKind::kConstant) {
        s.kind = Slot::kConstant;
        s.data = val.constant_data;
      } else if (s.kind == Slot::kUnused) {
        const Group& g = groups_[v];
        blocks.push_back(Block{g.bytes, g.first, g.last, 0});
        block_owner.push_back(static_cast<int>(v));
      }
    }
    for (int i = 0; i < num_nodes_; ++i) {
      const Node& n = nodes_[i];
      if (!live_node_[i] || is_view(i)) continue;
      Step step;
      step.kernel = fused_kernel_[i] ? fused_kernel_[i] : n.kernel;
      step.node = i;
      for (odla_value v : n.inputs) step.inputs.push_back(v->index);
      for (odla_value v : n.outputs) step.outputs.push_back(v->index);
      if (n.scratch_bytes != 0) {
        blocks.push_back(Block{n.scratch_bytes, i, i, 0});
        block_owner.push_back(-1 - static_cast<int>(plan.steps.size()));
      }
      plan.steps.push_back(std::move(step));
    }
    plan.arena_bytes = place_blocks(blocks);
    for (size_t b = 0; b < blocks.size(); ++b) {
      if (block_owner[b] >= 0) {
        group_slot[block_owner[b]].kind = Slot::kArena;
        group_slot[block_owner[b]].offset = blocks[b].offset;
      } else {
        plan.steps[-1 - block_owner[b]].scratch_offset = blocks[b].offset;
      }
    }
    plan.slots.resize(nv);
    for (size_t v = 0; v < nv; ++v)
      if (live_value_[v]) plan.slots[v] = group_slot[find(static_cast<int>(v))];
  }

  const _odla_computation& comp_;
  const std::vector<Node>& nodes_;  // lowered (backend.h)
  const int num_nodes_;
  std::vector<bool> live_node_, live_value_;
  std::vector<bool> fused_view_;      // clamp nodes fused into their producer
  std::vector<Kernel> fused_kernel_;  // the producer's kernel with the clamp
  std::vector<Group> groups_;
};

}  // namespace

std::shared_ptr<const Plan> get_plan(_odla_computation& computation) {
  std::lock_guard<std::mutex> lock(computation.plan_mutex);
  if (!computation.error.empty())
    throw Error("the computation has a build error: " + computation.error, ODLA_FAILURE);
  if (computation.outputs.empty()) fail("the computation has no outputs");
  if (!computation.plan) {
    std::vector<Node> nodes = lower(computation);
    std::shared_ptr<Plan> plan = Planner(computation, nodes).run();
    plan->nodes = std::move(nodes);
    computation.plan = std::move(plan);
  }
  return computation.plan;
}

}  // namespace odla_rt
