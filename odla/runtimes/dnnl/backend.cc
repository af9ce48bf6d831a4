// The oneDNN runtime (oneDNN 2.x, CPU engine, OpenMP threads; ODLA_NUM_THREADS sets the
// team size). Its lowering hook turns every run of consecutive nodes oneDNN can take
// into one node (region.h): primitives created once, at plan time, with oneDNN's own
// (blocked) layouts kept inside the region and weights reordered into them once. The
// kernel table takes the same ops one node at a time, for nodes a region could not.
#include "backend.h"

#include <unordered_set>

#include "region.h"

namespace odla_rt {
namespace {

// Runs of consecutive claimable nodes become regions. A node a region cannot build
// is left out (the kernel table or its portable kernel takes it) and the run is
// retried without it, split there.
void lower_regions(const _odla_computation& comp, std::vector<Node>& nodes) {
  std::unordered_set<const _odla_value*> rejected;  // by first output (indices shift)
  auto takes = [&](const Node& n) {
    return odla_dnnl::claimable(n) && rejected.count(n.outputs[0]) == 0;
  };
  size_t i = 0;
  while (i < nodes.size()) {
    if (!takes(nodes[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    bool computes = false;
    for (; j < nodes.size() && takes(nodes[j]); ++j) computes |= !odla_dnnl::moves_data_only(nodes[j]);
    if (!computes) {  // transposes and reshapes alone stay portable
      i = j;
      continue;
    }
    std::vector<int> region;
    for (size_t k = i; k < j; ++k) region.push_back(static_cast<int>(k));
    int failed = -1;
    if (odla_dnnl::lower_region(comp, nodes, region, &failed)) {
      ++i;  // nodes[i] is the region's node now
    } else if (failed >= 0) {
      rejected.insert(nodes[failed].outputs[0]);  // retry the run split at it
    } else {
      i = j;
    }
  }
}

bool single(const _odla_computation& comp, Node& node) {
  return odla_dnnl::lower_single(comp, node);
}

}  // namespace

const Backend& backend() {
  static const Backend b{"dnnl",
                         {
                             {"odla_Add", single},
                             {"odla_AveragePool", single},
                             {"odla_Clamp", single},
                             {"odla_Concat", single},
                             {"odla_Conv", single},
                             {"odla_Gemm", single},
                             {"odla_Elu", single},
                             {"odla_HardSwish", single},
                             {"odla_LeakyRelu", single},
                             {"odla_MaxPool", single},
                             {"odla_Mul", single},
                             {"odla_ReduceMax", single},
                             {"odla_ReduceMean", single},
                             {"odla_Relu", single},
                             {"odla_Sigmoid", single},
                             {"odla_QLinearAdd", single},
                             {"odla_QLinearConv", single},
                             {"odla_QLinearMatMul", single},
                             {"odla_Sub", single},
                             {"odla_Tanh", single},
                         },
                         lower_regions};
  return b;
}

}  // namespace odla_rt
