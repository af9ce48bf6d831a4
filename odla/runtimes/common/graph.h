// The recorded graph shared by every runtime: values, nodes, computations and
// contexts (the structs behind the opaque ODLA handles). No kernel headers here:
// a node carries its kernel as a closure and its parameters as `params`.
#pragma once

#include <ODLA/odla.h>

#include <cstddef>
#include <cstdint>
#include <any>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "activation.h"
#include "dtype.h"
#include "profile.h"

namespace odla_rt {

using Dims = std::vector<int64_t>;

int64_t num_elements(const Dims& dims);
std::string dims_str(const Dims& dims);

struct TensorType {
  odla_element_type dtype = ODLA_FLOAT32;
  Dims dims;
  int64_t numel() const { return num_elements(dims); }
  size_t bytes() const { return static_cast<size_t>(numel()) * element_size(dtype); }
  int rank() const { return static_cast<int>(dims.size()); }
};

enum class ValueKind { kArgument, kConstant, kNodeOutput };

// Pointers a kernel works on, in the node's input/output order.
struct KernelIO {
  const void* const* in;
  void* const* out;
  void* scratch;
  template <class T>
  const T* input(int i) const { return static_cast<const T*>(in[i]); }
  template <class T>
  T* output(int i) const { return static_cast<T*>(out[i]); }
};
using Kernel = std::function<void(const KernelIO&)>;

struct Node {
  std::string op;
  std::vector<odla_value> inputs;
  std::vector<odla_value> outputs;
  Kernel kernel;
  size_t scratch_bytes = 0;
  // Output 0 may be written over input `inplace_input` (elementwise, equal
  // byte size); -1 when not allowed.
  int inplace_input = -1;
  // Output 0 is input 0 with another shape (no kernel runs).
  bool is_view = false;
  // Fusion (planner.cc): a node that can apply a clamp to output 0 as it
  // writes it gives the kernel that does; a float32 Relu or Clamp gives its
  // clamp. When the first's output is read only by the second, the first runs
  // the fused kernel and the second becomes a view.
  std::function<Kernel(const odla_ref::detail::Activation&)> with_clamp;
  std::optional<odla_ref::detail::Activation> clamp;
  // The op's parameters as its builder worked them out (e.g. odla_ref::ConvParams),
  // for runtimes whose own kernels take the node over (see backend.h).
  std::any params;
  // Which kernel runs the node: false for the portable kernel recorded by the builder,
  // true once the runtime's lowering gave it one of its own.
  bool native = false;
};

struct Plan;

}  // namespace odla_rt

struct _odla_value {
  _odla_computation* computation = nullptr;
  std::string id;
  odla_rt::TensorType type;
  odla_rt::ValueKind kind = odla_rt::ValueKind::kNodeOutput;
  const void* constant_data = nullptr;
  int index = 0;  // position in computation->values
};

struct _odla_computation {
  std::vector<std::unique_ptr<_odla_value>> values;
  std::unordered_map<std::string, odla_value> by_id;
  std::vector<odla_rt::Node> nodes;
  std::vector<odla_value> arguments;
  std::vector<odla_value> outputs;
  std::string error;  // first build error, "" when none
  uint64_t next_auto_id = 0;

  std::mutex plan_mutex;
  std::shared_ptr<const odla_rt::Plan> plan;  // null until planned
  odla_rt::Profile profile;  // filled while ODLA_PROFILE is set

  _odla_computation() = default;
  _odla_computation(const _odla_computation&) = delete;
  _odla_computation& operator=(const _odla_computation&) = delete;
  ~_odla_computation();  // appends the profile, if any

  odla_value add_value(const char* id, odla_rt::TensorType type,
                       odla_rt::ValueKind kind);
  void graph_changed();
};

struct _odla_context {
  std::unordered_map<std::string, const void*> arguments;
  std::unordered_map<std::string, void*> outputs;
  void* arena = nullptr;
  size_t arena_bytes = 0;
  ~_odla_context();
  void* reserve_arena(size_t bytes);
};
