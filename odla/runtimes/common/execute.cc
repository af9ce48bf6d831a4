// Contexts (bound buffers and the activation arena) and execution.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "api.h"
#include "backend.h"
#include "graph.h"
#include "planner.h"

using odla_rt::fail;
using odla_rt::guard_status;

_odla_context::~_odla_context() { std::free(arena); }

void* _odla_context::reserve_arena(size_t bytes) {
  if (bytes > arena_bytes) {
    std::free(arena);
    arena = nullptr;
    arena_bytes = 0;
    arena = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (arena == nullptr) throw odla_rt::Error("cannot allocate the activation arena", ODLA_MEM_ERROR);
    arena_bytes = bytes;
  }
  return arena;
}

namespace {

const char* id_string(const odla_value_id id) {
  if (id == nullptr) fail("value id is NULL");
  return reinterpret_cast<const char*>(id);
}

odla_context checked(odla_context c) {
  if (c == nullptr) fail("context is NULL");
  return c;
}

// Resolves the buffers bound in `ctx` for the computation's arguments and
// outputs; every binding must name one of them.
void resolve_bindings(const _odla_computation& comp, const _odla_context& ctx,
                      std::vector<const void*>& args, std::vector<void*>& outs) {
  for (const auto& [id, ptr] : ctx.arguments) {
    auto it = comp.by_id.find(id);
    if (it == comp.by_id.end() || it->second->kind != odla_rt::ValueKind::kArgument)
      fail("bound argument '" + id + "' is not an argument of the computation");
  }
  for (const auto& [id, ptr] : ctx.outputs) {
    auto it = comp.by_id.find(id);
    bool is_output = false;
    for (odla_value o : comp.outputs) is_output = is_output || (it != comp.by_id.end() && o == it->second);
    if (!is_output) fail("bound output '" + id + "' is not an output of the computation");
  }
  for (odla_value a : comp.arguments) {
    auto it = ctx.arguments.find(a->id);
    if (it == ctx.arguments.end() || (it->second == nullptr && a->type.bytes() != 0))
      fail("argument '" + a->id + "' is not bound");
    args.push_back(it->second);
  }
  for (odla_value o : comp.outputs) {
    auto it = ctx.outputs.find(o->id);
    if (it == ctx.outputs.end() || (it->second == nullptr && o->type.bytes() != 0))
      fail("output '" + o->id + "' is not bound");
    outs.push_back(it->second);
  }
}

// "odla function<TAB>output id<TAB>kernel" per node of a plan (profiles).
std::vector<std::string> node_labels(const void* p) {
  std::vector<std::string> labels;
  for (const odla_rt::Node& n : static_cast<const odla_rt::Plan*>(p)->nodes)
    labels.push_back(n.op + "\t" + (n.outputs.empty() ? std::string() : n.outputs[0]->id) + "\t" +
                     (n.native ? odla_rt::backend().name : std::string("reference")));
  return labels;
}

void run(_odla_computation& comp, _odla_context& ctx) {
  std::shared_ptr<const odla_rt::Plan> plan = odla_rt::get_plan(comp);
  std::vector<const void*> args;
  std::vector<void*> outs;
  resolve_bindings(comp, ctx, args, outs);
  char* arena = static_cast<char*>(ctx.reserve_arena(plan->arena_bytes));
  std::vector<void*> ptr(plan->slots.size(), nullptr);
  for (size_t v = 0; v < ptr.size(); ++v) {
    const odla_rt::Slot& s = plan->slots[v];
    switch (s.kind) {
      case odla_rt::Slot::kArena: ptr[v] = arena + s.offset; break;
      case odla_rt::Slot::kArgument: ptr[v] = const_cast<void*>(args[s.index]); break;
      case odla_rt::Slot::kConstant: ptr[v] = const_cast<void*>(s.data); break;
      case odla_rt::Slot::kOutput: ptr[v] = outs[s.index]; break;
      case odla_rt::Slot::kUnused: break;
    }
  }
  std::vector<const void*> in;
  std::vector<void*> out;
  using Clock = std::chrono::steady_clock;
  const bool profiling = odla_rt::Profile::path() != nullptr;
  std::vector<std::pair<int, uint64_t>> times;  // profiling: (node, nanoseconds) per step
  for (const odla_rt::Step& step : plan->steps) {
    in.clear();
    out.clear();
    for (int v : step.inputs) in.push_back(ptr[v]);
    for (int v : step.outputs) out.push_back(ptr[v]);
    const Clock::time_point start = profiling ? Clock::now() : Clock::time_point{};
    step.kernel(odla_rt::KernelIO{in.data(), out.data(), arena + step.scratch_offset});
    if (profiling) {
      const auto spent = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
      times.emplace_back(step.node, static_cast<uint64_t>(spent.count()));
    }
  }
  if (profiling) comp.profile.add(plan, times, &node_labels, plan->arena_bytes);
  for (const auto& [v, o] : plan->copies) {
    const size_t bytes = comp.values[v]->type.bytes();
    if (bytes != 0 && outs[o] != ptr[v]) std::memmove(outs[o], ptr[v], bytes);
  }
}

}  // namespace

extern "C" {

odla_status odla_CreateContext(odla_context* context) {
  return guard_status(__func__, [&] {
    if (context == nullptr) fail("output pointer is NULL");
    *context = new _odla_context();
    return ODLA_SUCCESS;
  });
}

odla_status odla_DestroyContext(odla_context context) {
  return guard_status(__func__, [&] {
    delete checked(context);
    return ODLA_SUCCESS;
  });
}

odla_status odla_BindToArgumentById(const odla_value_id value_id,
                                    const odla_void* data_ptr, odla_context context) {
  return guard_status(__func__, [&] {
    checked(context)->arguments[id_string(value_id)] = data_ptr;
    return ODLA_SUCCESS;
  });
}

odla_status odla_BindToArgument(odla_value value, const odla_void* data_ptr,
                                odla_context context) {
  return guard_status(__func__, [&] {
    if (value == nullptr) fail("value is NULL");
    if (value->kind != odla_rt::ValueKind::kArgument)
      fail("value '" + value->id + "' is not an argument");
    checked(context)->arguments[value->id] = data_ptr;
    return ODLA_SUCCESS;
  });
}

odla_status odla_BindToOutputById(const odla_value_id value_id, odla_void* data_ptr,
                                  odla_context context) {
  return guard_status(__func__, [&] {
    checked(context)->outputs[id_string(value_id)] = data_ptr;
    return ODLA_SUCCESS;
  });
}

odla_status odla_BindToOutput(odla_value value, odla_void* data_ptr,
                              odla_context context) {
  return guard_status(__func__, [&] {
    if (value == nullptr) fail("value is NULL");
    checked(context)->outputs[value->id] = data_ptr;
    return ODLA_SUCCESS;
  });
}

odla_status odla_ExecuteComputation(const odla_computation computation,
                                    const odla_context context,
                                    const odla_compute_mode /*mode*/,
                                    odla_device /*device*/) {
  return guard_status(__func__, [&] {
    if (computation == nullptr) fail("computation is NULL");
    run(*computation, *checked(context));
    return ODLA_SUCCESS;
  });
}

}  // extern "C"
