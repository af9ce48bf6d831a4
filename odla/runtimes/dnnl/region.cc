// The region program: storages, tensors (a layout over a storage), steps; the builder's
// bookkeeping (layout conversions, plan-time weight reorders, scratch placement by
// liveness); execution.
#include "region.h"

#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "backend.h"
#include "float16.h"
#include "op_params.h"
#include "planner.h"

namespace odla_dnnl {

const dnnl::engine& engine() {
  static const dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream s(engine());
  return s;
}

void apply_threads() {
  static const int wanted = [] {
    const char* s = std::getenv("ODLA_NUM_THREADS");
    const int n = s != nullptr ? std::atoi(s) : 0;
    return n > 0 ? n : 0;
  }();
  thread_local int applied = 0;
  if (wanted != 0 && applied != wanted) {
    omp_set_num_threads(wanted);
    applied = wanted;
  }
}

dnnl::memory::dims to_dnnl(const Dims& d) {
  if (d.empty()) return {1};
  return dnnl::memory::dims(d.begin(), d.end());
}

md_t plain_md(const Dims& d, dt type) {
  const dnnl::memory::dims dims = to_dnnl(d);
  dnnl::memory::dims strides(dims.size(), 1);
  for (size_t i = dims.size() - 1; i-- > 0;) strides[i] = strides[i + 1] * dims[i + 1];
  return md_t(dims, type, strides);
}

md_t any_md(const Dims& d, dt type) {
  return md_t(to_dnnl(d), type, dnnl::memory::format_tag::any);
}

dt dt_of(odla_element_type t) {
  switch (t) {
    case ODLA_FLOAT32: return dt::f32;
    case ODLA_UINT8: return dt::u8;
    case ODLA_INT8: return dt::s8;
    case ODLA_INT32: return dt::s32;
    default: break;
  }
  throw Decline(std::string("element type ") + odla_rt::dtype_name(t));
}

md_t retyped(const md_t& md, dt type) {
  const dnnl_memory_desc_t& d = md.data;
  if (d.format_kind != dnnl_blocked || d.format_desc.blocking.inner_nblks != 0 ||
      d.offset0 != 0)
    throw Decline("blocked layout");
  for (int k = 0; k < d.ndims; ++k)
    if (d.padded_dims[k] != d.dims[k]) throw Decline("padded layout");
  const dnnl::memory::dims strides(d.format_desc.blocking.strides,
                                   d.format_desc.blocking.strides + d.ndims);
  return md_t(md.dims(), type, strides);
}

bool bf16_compute() {
  static const bool on = [] {
    const char* s = std::getenv("ODLA_DNNL_BF16");
    if (s != nullptr && std::string(s) == "0") return false;
    const int isa = static_cast<int>(dnnl::get_effective_cpu_isa());
    return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
  }();
  return on;
}

void* Program::pointer(const Storage& s, const odla_rt::KernelIO& io) const {
  switch (s.kind) {
    case Storage::kIn: return const_cast<void*>(io.in[s.index]);
    case Storage::kOut: return io.out[s.index];
    case Storage::kScratch: return static_cast<char*>(io.scratch) + s.offset;
    case Storage::kConst: break;
  }
  return const_cast<void*>(s.data);
}

void Program::run(const odla_rt::KernelIO& io) const {
  apply_threads();
  std::unique_ptr<Instance> inst;
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      inst = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  if (inst) {
    for (size_t t = 0; t < tensors.size(); ++t) {
      const Storage& s = storages[tensors[t].storage];
      if (used[t] && s.kind != Storage::kConst) inst->mem[t].set_data_handle(pointer(s, io));
    }
  } else {
    inst = std::make_unique<Instance>();
    inst->mem.resize(tensors.size());
    for (size_t t = 0; t < tensors.size(); ++t)
      if (used[t])
        inst->mem[t] = dnnl::memory(tensors[t].md, engine(), pointer(storages[tensors[t].storage], io));
    inst->args.resize(steps.size());
    for (size_t k = 0; k < steps.size(); ++k)
      for (const auto& [arg, t] : steps[k].args) inst->args[k].emplace(arg, inst->mem[t]);
  }
  dnnl::stream& stream = thread_stream();
  std::vector<void*> buffers;
  for (size_t k = 0; k < steps.size(); ++k) {
    if (!steps[k].fn) {
      steps[k].prim.execute(stream, inst->args[k]);
      continue;
    }
    stream.wait();
    buffers.clear();
    for (const auto& [arg, t] : steps[k].args) buffers.push_back(inst->mem[t].get_data_handle());
    steps[k].fn(buffers.data());
  }
  stream.wait();
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(std::move(inst));
}

Builder::Builder(const _odla_computation& comp, const std::vector<Node>& nodes,
                 const std::vector<int>& members,
                 std::unordered_set<const _odla_value*> materialize)
    : comp_(comp), nodes_(nodes), members_(members), member_(nodes.size(), false), done_(nodes.size(), false),
      materialize_(std::move(materialize)), p_(std::make_shared<Program>()) {
  for (int i : members_) member_[i] = true;
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
    for (odla_value v : nodes_[i].inputs) readers_[v].push_back(i);
    for (odla_value v : nodes_[i].outputs) producer_[v] = i;
  }
}

std::shared_ptr<Program> Builder::build() {
  for (int i : members_) {
    if (done_[i]) continue;
    failed_ = i;
    build_node(*this, i);
    done_[i] = true;
  }
  failed_ = -1;
  for (int i : members_)
    for (odla_value v : nodes_[i].outputs)
      if (materialize_.count(v) != 0 && value_tensor_.count(v) == 0)
        throw Decline("a result the region must give was not computed");
  place_scratch();
  return p_;
}

int Builder::add_storage(Storage s) {
  p_->storages.push_back(std::move(s));
  return static_cast<int>(p_->storages.size()) - 1;
}

int Builder::add_tensor(const md_t& md, int storage) {
  p_->tensors.push_back(Tensor{md, storage});
  return static_cast<int>(p_->tensors.size()) - 1;
}

int Builder::value_tensor(const _odla_value* v) {
  auto it = value_tensor_.find(v);
  if (it != value_tensor_.end()) return it->second;
  auto pit = producer_.find(v);
  if (pit != producer_.end() && member(pit->second))
    throw Decline("value '" + v->id + "' is read before the region computes it");
  const dt type = dt_of(v->type.dtype);
  Storage s;
  if (v->kind == odla_rt::ValueKind::kConstant) {
    if (v->constant_data == nullptr) throw Decline("constant without data");
    s.kind = Storage::kConst;
    s.data = v->constant_data;
  } else {
    s.kind = Storage::kIn;
    s.value = v;
  }
  const int t = add_tensor(plain_md(v->type.dims, type), add_storage(std::move(s)));
  value_tensor_[v] = t;
  return t;
}

const _odla_value* Builder::bf16_weights(const _odla_value* v) const {
  if (!bf16_compute()) return nullptr;
  const _odla_value* src = odla_rt::cast_source(comp_, v);
  if (src == nullptr || src->type.dtype != ODLA_BFLOAT16 || src->constant_data == nullptr)
    return nullptr;
  return src;
}

int Builder::const_tensor(const _odla_value* v, dt type) {
  return data_tensor(v->constant_data, plain_md(v->type.dims, type));
}

int Builder::data_tensor(const void* data, md_t md) {
  Storage s;
  s.kind = Storage::kConst;
  s.data = data;
  return add_tensor(md, add_storage(std::move(s)));
}

int Builder::view(int tensor, md_t md) {
  if (md.get_size() != md_of(tensor).get_size()) throw Decline("view of another size");
  return add_tensor(md, p_->tensors[tensor].storage);
}

// A tensor holding `tensor`'s data in layout `want`: itself, or a reorder into scratch;
// constants are reordered now, once, into a buffer the program owns.
int Builder::convert(int tensor, md_t want) {
  if (md_of(tensor) == want) return tensor;
  const Storage& src = p_->storages[p_->tensors[tensor].storage];
  if (src.kind == Storage::kConst) {
    const size_t bytes = want.get_size();
    void* buf = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (buf == nullptr) throw std::bad_alloc();
    std::shared_ptr<void> owned(buf, std::free);
    dnnl::memory from(md_of(tensor), engine(), const_cast<void*>(src.data));
    dnnl::memory to(want, engine(), buf);
    dnnl::stream s(engine());
    dnnl::reorder(from, to).execute(s, from, to);
    s.wait();
    Storage c;
    c.kind = Storage::kConst;
    c.data = buf;
    c.owned = std::move(owned);
    return add_tensor(want, add_storage(std::move(c)));
  }
  return copy_to_scratch(tensor, want, 0);
}

int Builder::copy_to_scratch(int tensor, md_t want, size_t slack) {
  const int out = new_scratch(want, slack);
  add_reorder(tensor, out);
  return out;
}

void Builder::add_reorder(int from, int to) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::reorder::primitive_desc pd(engine(), md_of(from), engine(), md_of(to), attr);
  std::vector<std::pair<int, int>> args{{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
  push_scratchpad(pd, args);
  add_step(dnnl::reorder(pd), std::move(args));
}

// The destination tensor of the primitive computing `v` in layout `md`: the node's
// output buffer when the value leaves the region in that very layout, else scratch.
int Builder::new_output(const _odla_value* v, md_t md, size_t slack) {
  Storage s;
  if (slack == 0 && materialize_.count(v) != 0 &&
      md == plain_md(v->type.dims, dt_of(v->type.dtype))) {
    s.kind = Storage::kOut;
    s.value = v;
    return add_tensor(md, add_storage(std::move(s)));
  }
  return new_scratch(md, slack);
}

bool Builder::reserve_slack(int tensor, size_t slack) {
  Storage& s = p_->storages[p_->tensors[tensor].storage];
  if (s.kind != Storage::kScratch) return false;
  s.bytes = std::max(s.bytes, md_of(tensor).get_size() + slack);
  return true;
}

int Builder::new_scratch(md_t md, size_t slack) {
  Storage s;
  s.bytes = md.get_size() + slack;
  return add_tensor(md, add_storage(std::move(s)));
}

// The destination of a primitive with a sum post-op: it must hold the Add's other
// operand first. Written in place over that operand when it is region scratch in the
// same layout that nothing reads later; else the operand is copied there first.
int Builder::sum_destination(int node, const Chain& chain, md_t md) {
  const _odla_value* other = chain.sum;
  const int t = value_tensor(other);
  const Storage& s = p_->storages[p_->tensors[t].storage];
  bool read_later = false;
  for (int r : readers_[other])
    if (r > node && std::find(chain.absorbed.begin(), chain.absorbed.end(), r) == chain.absorbed.end())
      read_later = true;
  if (s.kind == Storage::kScratch && md_of(t) == md && !read_later) return t;
  return copy_to_scratch(t, md, 0);
}

int Builder::scratchpad(const dnnl::primitive_desc_base& pd) {
  const md_t md = pd.scratchpad_desc();
  return md.get_size() == 0 ? -1 : new_scratch(md);
}

void Builder::push_scratchpad(const dnnl::primitive_desc_base& pd,
                              std::vector<std::pair<int, int>>& args) {
  const int pad = scratchpad(pd);
  if (pad >= 0) args.emplace_back(DNNL_ARG_SCRATCHPAD, pad);
}

// `v` is in `tensor` from now on; a value the region must give is also reordered into
// the node's output buffer (plain layout) right away.
void Builder::produced(const _odla_value* v, int tensor) {
  value_tensor_[v] = tensor;
  if (materialize_.count(v) == 0) return;
  const Storage& own = p_->storages[p_->tensors[tensor].storage];
  // written there already (a view of another value's output buffer is not)
  if (own.kind == Storage::kOut && own.value == v) return;
  Storage s;
  s.kind = Storage::kOut;
  s.value = v;
  add_reorder(tensor, add_tensor(plain_md(v->type.dims, dt_of(v->type.dtype)),
                                 add_storage(std::move(s))));
}

void Builder::add_step(dnnl::primitive prim, std::vector<std::pair<int, int>> args) {
  p_->steps.push_back(Step{std::move(prim), std::move(args), nullptr});
}

void Builder::add_step(std::function<void(void* const*)> fn, const std::vector<int>& tensors) {
  Step step;
  for (size_t k = 0; k < tensors.size(); ++k) step.args.emplace_back(static_cast<int>(k), tensors[k]);
  step.fn = std::move(fn);
  p_->steps.push_back(std::move(step));
}

namespace {

struct Eltwise {
  dnnl::algorithm alg;
  float alpha = 0, beta = 0;
};

bool eltwise_of(const Node& n, Eltwise& e) {
  if (n.inputs.size() != 1 || n.outputs.size() != 1) return false;
  if (n.inputs[0]->type.dtype != ODLA_FLOAT32 || n.outputs[0]->type.dtype != ODLA_FLOAT32)
    return false;
  constexpr float inf = odla_ref::detail::Activation::kInf;
  if (n.op == "odla_Relu") {
    e = {dnnl::algorithm::eltwise_relu, 0, 0};
  } else if (n.op == "odla_Clamp" && n.clamp) {
    if (n.clamp->lo == 0 && n.clamp->hi == inf)
      e = {dnnl::algorithm::eltwise_relu, 0, 0};
    else
      e = {dnnl::algorithm::eltwise_clip_v2, n.clamp->lo, n.clamp->hi};
  } else if (n.op == "odla_Sigmoid") {
    e = {dnnl::algorithm::eltwise_logistic, 0, 0};
  } else if (n.op == "odla_Tanh") {
    e = {dnnl::algorithm::eltwise_tanh, 0, 0};
  } else if (n.op == "odla_HardSwish") {
    e = {dnnl::algorithm::eltwise_hardswish, 0, 0};
  } else if ((n.op == "odla_LeakyRelu" || n.op == "odla_Elu") &&
             n.params.type() == typeid(odla_rt::ActivationParams)) {
    const float alpha = std::any_cast<const odla_rt::ActivationParams&>(n.params).alpha;
    e = {n.op == "odla_Elu" ? dnnl::algorithm::eltwise_elu : dnnl::algorithm::eltwise_relu, alpha,
         0};
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool eltwise_node(const Node& n, dnnl::algorithm& alg, float& alpha, float& beta) {
  Eltwise e;
  if (!eltwise_of(n, e)) return false;
  alg = e.alg;
  alpha = e.alpha;
  beta = e.beta;
  return true;
}

// The element-wise nodes after `node` that its primitive can apply as post-ops: each
// reads the previous result and nothing else reads that result (nor the caller).
Chain Builder::chain(int node, bool allow_sum) {
  Chain ch;
  ch.result = nodes_[node].outputs[0];
  for (;;) {
    const _odla_value* v = ch.result;
    auto rit = readers_.find(v);
    if (materialize_.count(v) != 0 || rit == readers_.end() || rit->second.size() != 1) break;
    const int r = rit->second[0];
    if (!member(r) || done_[r]) break;
    const Node& rn = nodes_[r];
    if (rn.outputs.size() != 1 || rn.outputs[0]->type.dims != v->type.dims ||
        rn.outputs[0]->type.dtype != ODLA_FLOAT32)
      break;
    Eltwise e;
    if (eltwise_of(rn, e)) {
      ch.ops.append_eltwise(1.f, e.alg, e.alpha, e.beta);
    } else if (allow_sum && ch.sum == nullptr && rn.op == "odla_Add" && rn.inputs.size() == 2) {
      const _odla_value* other = rn.inputs[0] == v ? rn.inputs[1] : rn.inputs[0];
      if (other == v || other->type.dims != v->type.dims || other->type.dtype != ODLA_FLOAT32)
        break;
      auto pit = producer_.find(other);
      const bool available =
          value_tensor_.count(other) != 0 || pit == producer_.end() || !member(pit->second);
      if (!available) break;
      ch.ops.append_sum(1.f);
      ch.sum = other;
    } else {
      break;
    }
    ch.absorbed.push_back(r);
    ch.result = rn.outputs[0];
  }
  return ch;
}

std::vector<int> Builder::readers(const _odla_value* v) const {
  auto it = readers_.find(v);
  return it == readers_.end() ? std::vector<int>{} : it->second;
}

void Builder::commit(const Chain& chain) {
  for (int r : chain.absorbed) done_[r] = true;
}

// Region scratch by liveness over the steps (the shared planner's placement).
void Builder::place_scratch() {
  Program& p = *p_;
  p.used.assign(p.tensors.size(), false);
  for (int s = 0; s < static_cast<int>(p.steps.size()); ++s)
    for (const auto& [arg, t] : p.steps[s].args) {
      p.used[t] = true;
      Storage& st = p.storages[p.tensors[t].storage];
      st.first = std::min(st.first, s);
      st.last = std::max(st.last, s);
    }
  std::vector<odla_rt::Block> blocks;
  std::vector<int> owner;
  for (int i = 0; i < static_cast<int>(p.storages.size()); ++i) {
    const Storage& st = p.storages[i];
    if (st.kind != Storage::kScratch || st.last < 0) continue;
    blocks.push_back(odla_rt::Block{st.bytes, st.first, st.last, 0});
    owner.push_back(i);
  }
  p.scratch_bytes = odla_rt::place_blocks(blocks);
  for (size_t b = 0; b < blocks.size(); ++b) p.storages[owner[b]].offset = blocks[b].offset;
}

namespace {

// ODLA_DNNL_VERBOSE=1: why lowering left nodes on the portable kernels (stderr).
void report(const std::string& what) {
  static const bool on = [] {
    const char* s = std::getenv("ODLA_DNNL_VERBOSE");
    return s != nullptr && *s != '\0' && *s != '0';
  }();
  if (on) std::fprintf(stderr, "odla dnnl: %s\n", what.c_str());
}

// Resolves the program's external storages to positions in the node's inputs/outputs.
void bind(Program& p, const Node& n) {
  for (Storage& s : p.storages) {
    if (s.kind != Storage::kIn && s.kind != Storage::kOut) continue;
    const std::vector<odla_value>& list = s.kind == Storage::kIn ? n.inputs : n.outputs;
    auto it = std::find(list.begin(), list.end(), s.value);
    s.index = it == list.end() ? -1 : static_cast<int>(it - list.begin());
  }
}

bool bound(const Program& p) {
  for (size_t t = 0; t < p.tensors.size(); ++t) {
    const Storage& s = p.storages[p.tensors[t].storage];
    if (p.used[t] && (s.kind == Storage::kIn || s.kind == Storage::kOut) && s.index < 0)
      return false;
  }
  return true;
}

odla_rt::Kernel kernel_of(std::shared_ptr<const Program> p) {
  return [p](const odla_rt::KernelIO& io) { p->run(io); };
}

std::string region_name(const std::vector<Node>& nodes, const std::vector<int>& region) {
  std::map<std::string, int> counts;
  for (int i : region) counts[nodes[i].op.substr(nodes[i].op.rfind('_') + 1)]++;
  std::string name = "dnnl_region(";
  bool first = true;
  for (const auto& [op, c] : counts) {
    name += (first ? "" : " ") + op + (c > 1 ? "x" + std::to_string(c) : "");
    first = false;
  }
  return name + ")";
}

}  // namespace

bool lower_region(const _odla_computation& comp, std::vector<Node>& nodes,
                  const std::vector<int>& region, int* failed) {
  *failed = -1;
  std::unordered_set<const _odla_value*> produced, member_inputs;
  std::unordered_set<int> members(region.begin(), region.end());
  for (int i : region)
    for (odla_value v : nodes[i].outputs) produced.insert(v);
  std::unordered_set<const _odla_value*> materialize;
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    if (members.count(i) != 0) continue;
    for (odla_value v : nodes[i].inputs)
      if (produced.count(v) != 0) materialize.insert(v);
  }
  for (odla_value o : comp.outputs)
    if (produced.count(o) != 0) materialize.insert(o);
  std::shared_ptr<Program> program;
  Builder builder(comp, nodes, region, materialize);
  try {
    apply_threads();  // primitives pick their blocking for the team size they will run with
    program = builder.build();
  } catch (const std::exception& e) {
    *failed = builder.failed();
    report("region of " + std::to_string(region.size()) + " nodes: " +
           (*failed >= 0 ? nodes[*failed].op + " (" + nodes[*failed].outputs[0]->id + ")" : "") +
           " declined: " + e.what());
    return false;
  }
  Node fused;
  fused.op = region_name(nodes, region);
  fused.scratch_bytes = program->scratch_bytes;
  fused.kernel = kernel_of(program);
  if (!odla_rt::replace_region(comp, nodes, region, std::move(fused))) return false;
  Node& n = nodes[region.front()];
  bind(*program, n);
  if (!bound(*program))  // cannot happen: the builder saw the same inputs and outputs
    n.kernel = [](const odla_rt::KernelIO&) {
      throw std::runtime_error("dnnl region: unbound operand");
    };
  return true;
}

bool lower_single(const _odla_computation& comp, Node& node) {
  if (!claimable(node)) return false;
  std::vector<Node> one{node};
  std::unordered_set<const _odla_value*> materialize(node.outputs.begin(), node.outputs.end());
  try {
    apply_threads();
    std::shared_ptr<Program> program = Builder(comp, one, {0}, materialize).build();
    bind(*program, node);
    if (!bound(*program)) return false;
    node.kernel = kernel_of(program);
    node.scratch_bytes = program->scratch_bytes;
    node.inplace_input = -1;
  } catch (const std::exception& e) {
    report(node.op + " declined: " + e.what());
    return false;
  }
  return true;
}

}  // namespace odla_dnnl
