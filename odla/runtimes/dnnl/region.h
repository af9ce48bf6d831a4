// oneDNN regions: a run of consecutive nodes oneDNN can take becomes one node whose
// kernel executes a program of primitives created once, at plan time. Values inside the
// region keep the layouts the primitives choose (blocked, e.g. nChw16c); reorders happen
// only where a value enters the region (computation arguments, portable nodes' results)
// or leaves it (read by a node after the region, or a computation output). A node whose
// result only one element-wise node reads absorbs it as a post-op (bias, Relu, Clamp,
// Sigmoid, Tanh, HardSwish, LeakyRelu, Elu; residual Add as a sum post-op into the later convolution).
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <climits>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "graph.h"
#include "kernels/conv.h"

namespace odla_dnnl {

using odla_rt::Dims;
using odla_rt::Node;
using md_t = dnnl::memory::desc;

// The CPU engine (one per process) and the calling thread's stream.
const dnnl::engine& engine();
dnnl::stream& thread_stream();
// Applies ODLA_NUM_THREADS (when set) to the calling thread's OpenMP team size.
void apply_threads();

// Dense row-major descriptor (rank 0 as [1]), float32 unless told.
using dt = dnnl::memory::data_type;
dnnl::memory::dims to_dnnl(const Dims& d);
md_t plain_md(const Dims& d, dt type = dt::f32);
md_t any_md(const Dims& d, dt type = dt::f32);
// The oneDNN type of an ODLA element type a region takes (float32, uint8, int8, int32);
// throws Decline for others.
dt dt_of(odla_element_type t);
// `md`'s layout (strided, no inner blocks, no padding) with another element type; throws
// Decline for blocked layouts.
md_t retyped(const md_t& md, dt type);

// Whether convolutions and matmuls with bfloat16 weights compute in bf16 (bf16
// source and weights, float32 accumulation and results): when oneDNN runs native
// bf16 kernels on this CPU (AVX512_BF16 or AMX; DNNL_MAX_CPU_ISA may lower it) and
// ODLA_DNNL_BF16 is not 0. Otherwise they compute in float32 on the weights
// odla_Cast widened at build time.
bool bf16_compute();

// Thrown by a builder that declines a node (the region, or the node, keeps the
// portable kernels).
struct Decline : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where a tensor's bytes live at execution.
struct Storage {
  enum Kind { kIn, kOut, kScratch, kConst } kind = kScratch;
  const _odla_value* value = nullptr;  // kIn / kOut
  int index = -1;                      // kIn / kOut: position in the node's inputs / outputs
  size_t bytes = 0;                    // kScratch
  size_t offset = 0;                   // kScratch: offset in KernelIO::scratch
  const void* data = nullptr;          // kConst
  std::shared_ptr<void> owned;         // kConst made at plan time (reordered weights)
  int first = INT_MAX, last = -1;      // kScratch: steps using it
};

struct Tensor {
  md_t md;
  int storage = 0;
};

// A step runs a primitive, or (when `fn` is set) the runtime's own code on the tensors'
// buffers, in the order of `args` (their DNNL_ARG_* keys are then positions).
struct Step {
  dnnl::primitive prim;
  std::vector<std::pair<int, int>> args;  // DNNL_ARG_* -> tensor
  std::function<void(void* const* buffers)> fn;
};

// What the fused node's kernel runs.
struct Program {
  std::vector<Storage> storages;
  std::vector<Tensor> tensors;
  std::vector<Step> steps;
  std::vector<bool> used;  // tensors some step reads or writes
  size_t scratch_bytes = 0;
  // Executes the steps on the calling thread's stream; reentrant.
  void run(const odla_rt::KernelIO& io) const;

 private:
  // Memory objects and argument maps of one execution at a time: executions take one
  // from the pool (or make one) and give it back, so concurrent contexts never share
  // one, and a warm execution only re-points the buffers that move between calls.
  struct Instance {
    std::vector<dnnl::memory> mem;
    std::vector<std::unordered_map<int, dnnl::memory>> args;
  };
  void* pointer(const Storage& s, const odla_rt::KernelIO& io) const;
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<Instance>> pool_;
};

// Post-ops a primitive absorbs from the nodes after it.
struct Chain {
  dnnl::post_ops ops;
  const _odla_value* result = nullptr;  // the last absorbed node's result (or the node's own)
  const _odla_value* sum = nullptr;     // the other operand of an absorbed Add
  std::vector<int> absorbed;
};

class Builder {
 public:
  // nodes[members] (ascending) become one program; `materialize`: values they produce
  // that must reach the node's outputs in plain layout.
  Builder(const _odla_computation& comp, const std::vector<Node>& nodes,
          const std::vector<int>& members, std::unordered_set<const _odla_value*> materialize);
  // Throws (Decline, dnnl::error) when a node cannot be taken.
  std::shared_ptr<Program> build();
  // The node whose building threw, or -1.
  int failed() const { return failed_; }

  // Used by the op builders (ops.cc).
  const Node& node(int i) const { return nodes_[i]; }
  int value_tensor(const _odla_value* v);
  // The bfloat16 constant a float32 weight constant was widened from (odla_Cast at
  // build time), when bf16_compute(); else NULL.
  const _odla_value* bf16_weights(const _odla_value* v) const;
  // A tensor over a constant's own data, plain layout, of its element type.
  int const_tensor(const _odla_value* v, dt type);
  // A tensor over constant bytes the computation owns (e.g. a quantized kernel), layout md.
  int data_tensor(const void* data, md_t md);
  int convert(int tensor, md_t want);
  int plain_tensor(const _odla_value* v) {
    return convert(value_tensor(v), plain_md(v->type.dims, dt_of(v->type.dtype)));
  }
  int view(int tensor, md_t md);
  // `slack`: bytes the primitive may write past md's end (then never the output buffer).
  int new_output(const _odla_value* v, md_t md, size_t slack = 0);
  // Makes a scratch tensor's storage at least md size + slack bytes (a primitive may read
  // past its end); false for other storages.
  bool reserve_slack(int tensor, size_t slack);
  // A copy of `tensor` in layout `want` in fresh scratch of md size + slack bytes.
  int copy_to_scratch(int tensor, md_t want, size_t slack);
  int new_scratch(md_t md, size_t slack = 0);
  int sum_destination(int node, const Chain& chain, md_t md);
  int scratchpad(const dnnl::primitive_desc_base& pd);
  // Adds the primitive's user-mode scratchpad, if it has one, to its arguments.
  void push_scratchpad(const dnnl::primitive_desc_base& pd, std::vector<std::pair<int, int>>& args);
  void produced(const _odla_value* v, int tensor);
  void add_step(dnnl::primitive prim, std::vector<std::pair<int, int>> args);
  // A step of the runtime's own code over `tensors` (see Step::fn).
  void add_step(std::function<void(void* const*)> fn, const std::vector<int>& tensors);
  Chain chain(int node, bool allow_sum);
  void commit(const Chain& chain);
  // For chains built outside chain(): the nodes reading `v`; whether the region must
  // give `v`; whether node r is a member not built yet.
  std::vector<int> readers(const _odla_value* v) const;
  bool materialized(const _odla_value* v) const { return materialize_.count(v) != 0; }
  bool takes(int r) const { return member(r) && !done_[r]; }
  md_t md_of(int tensor) const { return p_->tensors[tensor].md; }

 private:
  int add_storage(Storage s);
  int add_tensor(const md_t& md, int storage);
  void add_reorder(int from, int to);
  bool member(int i) const { return i >= 0 && i < static_cast<int>(member_.size()) && member_[i]; }
  void place_scratch();

  const _odla_computation& comp_;
  const std::vector<Node>& nodes_;
  std::vector<int> members_;
  std::vector<bool> member_, done_;
  std::unordered_set<const _odla_value*> materialize_;
  std::unordered_map<const _odla_value*, std::vector<int>> readers_;
  std::unordered_map<const _odla_value*, int> producer_;
  std::unordered_map<const _odla_value*, int> value_tensor_;
  std::unordered_map<const _odla_value*, int> external_;  // kIn / kConst storage per value
  std::shared_ptr<Program> p_;
  int failed_ = -1;
};

// The op builders (ops.cc): whether a node may join a region (cheap checks), and
// building it into the program (may throw).
bool claimable(const Node& node);
void build_node(Builder& b, int node);
// Transpose and Reshape: views inside a region (a run of nothing else is not one).
bool moves_data_only(const Node& node);
inline bool is_q8(odla_element_type t) { return t == ODLA_UINT8 || t == ODLA_INT8; }

// Whether oneDNN's int8 kernels compute ODLA's integer arithmetic on this CPU (VNNI or
// AMX); without, no integer node joins a region (quant.cc).
bool exact_int8();
// The integer ones (quant.cc): odla_QLinearConv, odla_QLinearMatMul, odla_QLinearAdd.
bool claimable_quant(const Node& node);
void build_quant(Builder& b, int node);

// A convolution's oneDNN geometry: source, destination and weights (grouped:
// [G, O/G, I/G, k...]) dims, strides, dilations (oneDNN's: minus one), paddings.
struct ConvShape {
  Dims src, dst, w;
  dnnl::memory::dims strides, dil, pl, pr;
};
ConvShape conv_shape(const odla_ref::ConvParams& p);
// The oneDNN eltwise algorithm of an element-wise node (Relu, Clamp, Sigmoid, Tanh,
// HardSwish, LeakyRelu, Elu; float32), or false.
bool eltwise_node(const Node& n, dnnl::algorithm& alg, float& alpha, float& beta);

// Lowering entry points (backend.cc): nodes[region] (consecutive) as one node; one
// node in place (kernel table). Both return false and change nothing on failure;
// `failed` is then the index of the node that could not be built (or -1).
bool lower_region(const _odla_computation& comp, std::vector<Node>& nodes,
                  const std::vector<int>& region, int* failed);
bool lower_single(const _odla_computation& comp, Node& node);

}  // namespace odla_dnnl
