// A region of the lowered graph run as one XNNPACK subgraph: the values inside
// live in NHWC (channels last) in XNNPACK's own memory; only the region's
// boundary values are ODLA buffers (NCHW), transposed where the layouts differ.
#pragma once

#include <xnnpack.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "graph.h"

namespace odla_xnn {

using odla_rt::Dims;

// xnn_initialize() once; false when XNNPACK cannot run on this machine.
bool ready();
// The pthreadpool every region runs on (threadpool.cc): its loops run on the runtime's
// thread pool, ODLA_NUM_THREADS threads (default all cores).
pthreadpool_t threadpool();
bool library_pool();  // ODLA_XNNPACK_PTHREADPOOL=1: pthreadpool's own workers run the loops

// The ODLA functions a region may hold (the kernel table lists exactly these).
const std::vector<std::string>& supported_ops();

// One value crossing the region boundary.
struct Binding {
  const _odla_value* value = nullptr;
  uint32_t xid = 0;        // XNNPACK external value id
  int io = -1;             // index in the region node's inputs (or outputs)
  bool transpose = false;  // NCHW buffer <-> NHWC XNNPACK value, through scratch
  bool flip = false;       // uint8 buffer <-> int8 XNNPACK value (x ^ 0x80), through scratch
  size_t elem = 4;         // bytes per element (1: an 8-bit value)
  Dims nchw;               // rank-4 dims of the ODLA buffer when transposed
  size_t offset = 0;       // scratch offset of the NHWC copy when transposed
};

// A subgraph with its runtimes: one runtime runs one execution at a time, so
// concurrent executions (contexts on several threads) take one each from a
// pool that grows on demand.
class Region {
 public:
  ~Region();
  xnn_subgraph_t subgraph = nullptr;
  std::vector<std::vector<float>> owned;  // static data in XNNPACK layouts (weights)
  std::vector<std::vector<int8_t>> owned_i8;    // int8 weights
  std::vector<std::vector<int32_t>> owned_i32;  // int32 biases
  std::vector<Binding> inputs, outputs;
  size_t scratch_bytes = 0;
  int num_nodes = 0;

  // Lays out the scratch and creates the first runtime; false when XNNPACK declines.
  bool prepare();
  // Binds `io` (the region node's buffers; bindings' io indices set) and runs.
  // Throws odla_rt::Error when XNNPACK fails.
  void run(const odla_rt::KernelIO& io);

 private:
  struct Runner {
    xnn_runtime_t runtime = nullptr;
    std::vector<void*> bound;  // external pointers of the last setup
  };
  Runner* acquire();
  void release(Runner* r);
  std::mutex mutex_;
  std::vector<std::unique_ptr<Runner>> all_;
  std::vector<Runner*> free_;
};

// Builds nodes[begin, end) into a region (outputs: the values produced there that
// `is_output` names). Returns null and sets *failed to the node XNNPACK rejected
// (or to `end` when the whole region was declined).
std::shared_ptr<Region> build_region(const _odla_computation& comp,
                                     const std::vector<odla_rt::Node>& nodes, size_t begin,
                                     size_t end,
                                     const std::vector<const _odla_value*>& outputs,
                                     size_t* failed);

// How many of nodes[begin, ...) a region can take, by the rules alone (no XNNPACK calls).
size_t region_extent(const _odla_computation& comp, const std::vector<odla_rt::Node>& nodes,
                     size_t begin);

}  // namespace odla_xnn
