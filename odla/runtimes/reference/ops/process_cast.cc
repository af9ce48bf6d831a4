// Cast between any two element types, and Select (ONNX Where).
#include <any>
#include <memory>
#include <new>

#include "elementwise.h"
#include "float16.h"

namespace odla_rt {
namespace {

// One element from S to D: float to integer truncates and saturates (NaN
// gives 0), to bool tests != 0, float16 rounds to nearest even once.
template <class S, class D>
D convert(S v) {
  if constexpr (std::is_same_v<S, D>) {
    return v;
  } else if constexpr (kIsBool<D>) {
    return Num<D>::store(Num<S>::load(v) != 0);
  } else if constexpr (kIsInt<D> && kIsInt<S>) {
    return static_cast<D>(v);  // integer to integer wraps (two's complement)
  } else if constexpr (kIsInt<D>) {
    return saturate_cast<D>(static_cast<double>(Num<S>::load(v)));
  } else if constexpr (std::is_same_v<D, half_t> && std::is_same_v<S, double>) {
    return half_t{double_to_half(v)};
  } else if constexpr (std::is_same_v<D, half_t> && std::is_same_v<S, float>) {
    return half_t{float_to_half(v)};
  } else if constexpr (std::is_same_v<D, half_t> && (std::is_same_v<S, int64_t> ||
                                                     std::is_same_v<S, uint64_t>)) {
    return half_t{double_to_half(static_cast<double>(v))};
  } else {
    return Num<D>::store(static_cast<typename Num<D>::C>(Num<S>::load(v)));
  }
}

// bfloat16 (a storage type, see dtype.h) to and from any element type, through float.
template <class D>
D from_bf16(uint16_t b) {
  return convert<float, D>(bf16_to_float(b));
}

template <class S>
uint16_t to_bf16(S v) {
  if constexpr (kIsBool<S>) {
    return float_to_bf16(v.byte != 0 ? 1.0f : 0.0f);
  } else if constexpr (std::is_same_v<S, float> || std::is_same_v<S, half_t>) {
    return float_to_bf16(Num<S>::load(v));
  } else {
    return double_to_bf16(static_cast<double>(v));  // one rounding from double and int64
  }
}

template <class S, class D, class F>
Kernel elementwise_cast(int64_t n, F f) {
  return [n, f](const KernelIO& io) {
    const S* src = io.input<S>(0);
    D* dst = io.output<D>(0);
    odla_ref::parallel_for(n, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) dst[i] = f(src[i]);
    }, kElementwiseGrain);
  };
}

Kernel cast_kernel(odla_element_type from, odla_element_type to, int64_t n) {
  if (from == ODLA_BFLOAT16 && to == ODLA_BFLOAT16)
    return elementwise_cast<uint16_t, uint16_t>(n, [](uint16_t b) { return b; });
  if (from == ODLA_BFLOAT16)
    return visit_dtype(to, [&](auto dtag) -> Kernel {
      using D = typename decltype(dtag)::type;
      return elementwise_cast<uint16_t, D>(n, [](uint16_t b) { return from_bf16<D>(b); });
    });
  if (to == ODLA_BFLOAT16)
    return visit_dtype(from, [&](auto stag) -> Kernel {
      using S = typename decltype(stag)::type;
      return elementwise_cast<S, uint16_t>(n, [](S v) { return to_bf16<S>(v); });
    });
  return visit_dtype(from, [&](auto stag) -> Kernel {
    using S = typename decltype(stag)::type;
    return visit_dtype(to, [&](auto dtag) -> Kernel {
      using D = typename decltype(dtag)::type;
      return elementwise_cast<S, D>(n, [](S v) { return convert<S, D>(v); });
    });
  });
}

// The converted data of a Cast of a constant, made once at build time; the
// holder node (no outputs, so never planned) keeps it alive with the computation.
struct ConvertedConstant {
  odla_value source;
  odla_value result;
  std::shared_ptr<void> data;
};

odla_value cast_constant(odla_value x, odla_element_type target, const Kernel& k,
                         const odla_value_id id) {
  _odla_computation& comp = current();
  TensorType type{target, x->type.dims};
  const size_t bytes = type.bytes();
  constexpr std::align_val_t kAlign{64};  // as the weights object's symbols
  std::shared_ptr<void> data(::operator new(bytes == 0 ? 1 : bytes, kAlign),
                             [kAlign](void* p) { ::operator delete(p, kAlign); });
  const void* in[1] = {x->constant_data};
  void* out[1] = {data.get()};
  if (bytes != 0) k(KernelIO{in, out, nullptr});
  Node holder;
  holder.op = "odla_Cast";
  holder.inputs = {x};
  comp.nodes.reserve(comp.nodes.size() + 1);  // before the value: a throw leaves no trace
  odla_value v = comp.add_value(reinterpret_cast<const char*>(id), std::move(type),
                                ValueKind::kConstant);
  v->constant_data = data.get();
  holder.params = ConvertedConstant{x, v, std::move(data)};
  comp.nodes.push_back(std::move(holder));
  comp.graph_changed();
  return v;
}

odla_value build_cast(odla_value input, odla_element_type target, const odla_value_id id) {
  odla_value x = operand(input, "input");
  if (!is_supported(target)) throw_unsupported(target);
  Kernel k = cast_kernel(x->type.dtype, target, x->type.numel());
  if (x->kind == ValueKind::kConstant && (x->constant_data != nullptr || x->type.numel() == 0))
    return cast_constant(x, target, k, id);
  NodeOptions options;
  options.inplace_input = element_size(target) == element_size(x->type.dtype) ? 0 : -1;
  return add_node("odla_Cast", {x}, TensorType{target, x->type.dims}, id, std::move(k), options);
}

}  // namespace

odla_value via_float32(std::vector<odla_value> operands, const odla_value_id id,
                       const WideBuild& build) {
  for (odla_value& v : operands)
    if (v != nullptr && operand(v, "operand")->type.dtype == ODLA_FLOAT16)
      v = build_cast(v, ODLA_FLOAT32, nullptr);
  return build_cast(build(operands, nullptr), ODLA_FLOAT16, id);
}

bool is_half(odla_value v, const char* what) { return operand(v, what)->type.dtype == ODLA_FLOAT16; }

odla_value cast_source(const _odla_computation& comp, const _odla_value* v) {
  if (v == nullptr || v->kind != ValueKind::kConstant) return nullptr;
  for (const Node& n : comp.nodes) {
    if (!n.outputs.empty() || n.params.type() != typeid(ConvertedConstant)) continue;
    const auto& c = std::any_cast<const ConvertedConstant&>(n.params);
    if (c.result == v) return c.source;
  }
  return nullptr;
}

namespace {

odla_value build_select(odla_value condition, odla_value a, odla_value b,
                        const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value c = operand(condition, "condition");
  odla_value x = operand(a, "a");
  odla_value y = operand(b, "b");
  if (c->type.dtype != ODLA_BOOL) fail("condition must be bool, got " + type_str(c->type));
  if (x->type.dtype != y->type.dtype) throw_type_mismatch("odla_Select", x, y);
  const Dims out = broadcast_dims(broadcast_dims(c->type.dims, x->type.dims), y->type.dims);
  check_output_dims(output_dims, out);
  auto loop = std::make_shared<const BroadcastLoop>(
      out, std::vector<Dims>{c->type.dims, x->type.dims, y->type.dims});
  Kernel k = visit_size(element_size(x->type.dtype), [&](auto tag) -> Kernel {
    using E = typename decltype(tag)::type;
    return [loop](const KernelIO& io) {
      const uint8_t* cond = io.input<uint8_t>(0);
      const E* pa = io.input<E>(1);
      const E* pb = io.input<E>(2);
      E* dst = io.output<E>(0);
      odla_ref::parallel_for(loop->size(), [&](int64_t begin, int64_t end) {
        loop->for_rows(begin, end, [&](int64_t pos, int64_t len, const int64_t* off,
                                       const int64_t* st) {
          for (int64_t j = 0; j < len; ++j)
            dst[pos + j] = cond[off[0] + j * st[0]] != 0 ? pa[off[1] + j * st[1]]
                                                         : pb[off[2] + j * st[2]];
        });
      }, kElementwiseGrain);
    };
  });
  return add_node("odla_Select", {c, x, y}, TensorType{x->type.dtype, out}, id, std::move(k));
}

}  // namespace
}  // namespace odla_rt

extern "C" {

odla_value odla_Cast(odla_value input, odla_element_type target_type, const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&] { return odla_rt::build_cast(input, target_type, id); });
}

odla_value odla_Select(odla_value condition, odla_value a, odla_value b,
                       odla_value_shape output_dims, const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_select(condition, a, b, output_dims, id);
  });
}

}  // extern "C"
