// Computations: creation, the per-thread current computation, queries.
#include <string>

#include "api.h"
#include "backend.h"
#include "graph.h"
#include "planner.h"

namespace odla_rt {

int64_t num_elements(const Dims& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::string dims_str(const Dims& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i != 0 ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

}  // namespace odla_rt

using odla_rt::fail;
using odla_rt::guard_status;

odla_value _odla_computation::add_value(const char* id, odla_rt::TensorType type,
                                        odla_rt::ValueKind kind) {
  auto value = std::make_unique<_odla_value>();
  value->computation = this;
  value->id = id != nullptr ? std::string(id)
                            : "__odla_auto_" + std::to_string(next_auto_id++);
  if (by_id.count(value->id) != 0) fail("value id '" + value->id + "' is already used");
  value->type = std::move(type);
  value->kind = kind;
  value->index = static_cast<int>(values.size());
  values.push_back(std::move(value));
  odla_value v = values.back().get();
  by_id.emplace(v->id, v);
  return v;
}

_odla_computation::~_odla_computation() {
  try {
    profile.write(odla_rt::backend().name);
  } catch (...) {  // out of memory while formatting: the profile is lost, not the process
  }
}

void _odla_computation::graph_changed() {
  std::lock_guard<std::mutex> lock(plan_mutex);
  plan.reset();
}

namespace {

odla_computation checked(odla_computation c) {
  if (c == nullptr) fail("computation is NULL");
  return c;
}

}  // namespace

extern "C" {

odla_status odla_CreateComputation(odla_computation* computation) {
  return guard_status(__func__, [&] {
    if (computation == nullptr) fail("output pointer is NULL");
    *computation = new _odla_computation();
    odla_rt::set_current_computation(*computation);
    return ODLA_SUCCESS;
  });
}

odla_status odla_SetCurrentComputation(odla_computation computation) {
  odla_rt::set_current_computation(computation);
  return ODLA_SUCCESS;
}

odla_status odla_DestroyComputation(odla_computation computation) {
  return guard_status(__func__, [&] {
    checked(computation);
    if (odla_rt::current_computation() == computation)
      odla_rt::set_current_computation(nullptr);
    delete computation;
    return ODLA_SUCCESS;
  });
}

odla_status odla_GetNumOfArgsFromComputation(const odla_computation computation,
                                             odla_uint32* num_args) {
  return guard_status(__func__, [&] {
    if (num_args == nullptr) fail("output pointer is NULL");
    *num_args = static_cast<odla_uint32>(checked(computation)->arguments.size());
    return ODLA_SUCCESS;
  });
}

odla_status odla_GetArgFromComputationByIdx(const odla_computation computation,
                                            const odla_uint32 arg_idx,
                                            odla_value* arg_value) {
  return guard_status(__func__, [&] {
    if (arg_value == nullptr) fail("output pointer is NULL");
    const auto& args = checked(computation)->arguments;
    if (arg_idx >= args.size()) fail("argument index out of range");
    *arg_value = args[arg_idx];
    return ODLA_SUCCESS;
  });
}

odla_status odla_GetNumOfOutputsFromComputation(const odla_computation computation,
                                                odla_uint32* num_outputs) {
  return guard_status(__func__, [&] {
    if (num_outputs == nullptr) fail("output pointer is NULL");
    *num_outputs = static_cast<odla_uint32>(checked(computation)->outputs.size());
    return ODLA_SUCCESS;
  });
}

odla_status odla_GetOutputFromComputationByIdx(const odla_computation computation,
                                               const odla_uint32 output_idx,
                                               odla_value* output_value) {
  return guard_status(__func__, [&] {
    if (output_value == nullptr) fail("output pointer is NULL");
    const auto& outs = checked(computation)->outputs;
    if (output_idx >= outs.size()) fail("output index out of range");
    *output_value = outs[output_idx];
    return ODLA_SUCCESS;
  });
}

odla_status odla_CompileComputation(const odla_computation computation,
                                    const odla_device /*device*/,
                                    odla_executable* executable) {
  return guard_status(__func__, [&] {
    odla_rt::get_plan(*checked(computation));
    if (executable != nullptr) *executable = nullptr;
    return ODLA_SUCCESS;
  });
}

odla_status odla_GetComputationStats(const odla_computation computation,
                                     odla_uint64* arena_bytes, odla_uint64* num_nodes) {
  return guard_status(__func__, [&] {
    auto plan = odla_rt::get_plan(*checked(computation));
    if (arena_bytes != nullptr) *arena_bytes = plan->arena_bytes;
    if (num_nodes != nullptr) *num_nodes = plan->steps.size();
    return ODLA_SUCCESS;
  });
}

}  // extern "C"
