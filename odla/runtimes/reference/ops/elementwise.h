// Templates behind every elementwise builder. An op is a functor on compute
// types (float for float16, bool for ODLA_BOOL) with a `supports<T>` trait
// naming the storage types it accepts; one template instantiation per type
// gives every supported element type from a single implementation.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "broadcast.h"
#include "builder.h"
#include "kernels/parallel.h"

namespace odla_rt {

constexpr int64_t kElementwiseGrain = 1 << 15;

// Result storage type of applying Op to T: bool_t for predicates, else T.
template <class Op, class T>
using ResultOf = std::conditional_t<Op::kBoolResult, bool_t, T>;

[[noreturn]] void throw_type_mismatch(const char* op, odla_value a, odla_value b);
[[noreturn]] void throw_unsupported_type(const char* op, odla_element_type t);

template <class T, class R, class Op>
Kernel unary_kernel(int64_t n, Op op) {
  return [n, op](const KernelIO& io) {
    const T* x = io.input<T>(0);
    R* y = io.output<R>(0);
    odla_ref::parallel_for(
        n,
        [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i)
            y[i] = Num<R>::store(op(Num<T>::load(x[i])));
        },
        kElementwiseGrain);
  };
}

// The clamp an elementwise op equals, for the planner to fuse into the node
// that produces its input (see Node::clamp); ops without one return nothing.
template <class Op>
std::optional<odla_ref::detail::Activation> clamp_of(const Op&) {
  return std::nullopt;
}

// Elementwise unary node: Op applied to every element of `input`.
template <class Op>
odla_value build_unary(const char* name, odla_value input, const odla_value_id id,
                       Op op = Op()) {
  odla_value x = operand(input, "input");
  const TensorType& t = x->type;
  return visit_dtype(t.dtype, [&](auto tag) -> odla_value {
    using T = typename decltype(tag)::type;
    if constexpr (Op::template supports<T>) {
      using R = ResultOf<Op, T>;
      TensorType out{Op::kBoolResult ? ODLA_BOOL : t.dtype, t.dims};
      NodeOptions options;
      options.inplace_input = sizeof(R) == sizeof(T) ? 0 : -1;
      if constexpr (std::is_same_v<T, float>) options.clamp = clamp_of(op);
      return add_node(name, {x}, out, id, unary_kernel<T, R>(t.numel(), op), options);
    } else {
      throw_unsupported_type(name, t.dtype);
    }
  });
}

template <class A, class B, class R, class Op>
void binary_rows(const BroadcastLoop& loop, const A* a, const B* b, R* y, const Op& op) {
  odla_ref::parallel_for(
      loop.size(),
      [&](int64_t begin, int64_t end) {
        loop.for_rows(begin, end, [&](int64_t pos, int64_t len, const int64_t* off,
                                      const int64_t* st) {
          const A* pa = a + off[0];
          const B* pb = b + off[1];
          R* py = y + pos;
          auto f = [&](A u, B v) { return Num<R>::store(op(Num<A>::load(u), Num<B>::load(v))); };
          if (st[0] == 1 && st[1] == 1) {
            for (int64_t j = 0; j < len; ++j) py[j] = f(pa[j], pb[j]);
          } else if (st[0] == 1 && st[1] == 0) {
            const B v = pb[0];
            for (int64_t j = 0; j < len; ++j) py[j] = f(pa[j], v);
          } else if (st[0] == 0 && st[1] == 1) {
            const A u = pa[0];
            for (int64_t j = 0; j < len; ++j) py[j] = f(u, pb[j]);
          } else {
            for (int64_t j = 0; j < len; ++j) py[j] = f(pa[j * st[0]], pb[j * st[1]]);
          }
        });
      },
      kElementwiseGrain);
}

template <class A, class B, class R, class Op>
Kernel binary_kernel(const Dims& out, const Dims& da, const Dims& db, Op op) {
  auto loop = std::make_shared<const BroadcastLoop>(out, std::vector<Dims>{da, db});
  return [loop, op](const KernelIO& io) {
    binary_rows(*loop, io.input<A>(0), io.input<B>(1), io.output<R>(0), op);
  };
}

// Node options for a binary result of `out` shape and `size`-byte elements:
// it may overwrite an operand of the same shape and element size.
NodeOptions binary_options(odla_value a, odla_value b, const Dims& out, size_t size);

// Elementwise binary node with broadcasting; both operands of one type.
template <class Op>
odla_value build_binary(const char* name, odla_value lhs, odla_value rhs,
                        const odla_value_id id, Op op = Op()) {
  odla_value a = operand(lhs, "lhs");
  odla_value b = operand(rhs, "rhs");
  if (a->type.dtype != b->type.dtype) throw_type_mismatch(name, a, b);
  const Dims out = broadcast_dims(a->type.dims, b->type.dims);
  return visit_dtype(a->type.dtype, [&](auto tag) -> odla_value {
    using T = typename decltype(tag)::type;
    if constexpr (Op::template supports<T>) {
      using R = ResultOf<Op, T>;
      TensorType type{Op::kBoolResult ? ODLA_BOOL : a->type.dtype, out};
      return add_node(name, {a, b}, type, id,
                      binary_kernel<T, T, R>(out, a->type.dims, b->type.dims, op),
                      binary_options(a, b, out, sizeof(R)));
    } else {
      throw_unsupported_type(name, a->type.dtype);
    }
  });
}

}  // namespace odla_rt
