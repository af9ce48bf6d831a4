// Broadcasting binary arithmetic: Add Sub Mul Div Pow Max Min Mod.
#include <cmath>

#include "elementwise.h"

namespace odla_rt {
namespace {

struct Arith {
  static constexpr bool kBoolResult = false;
  template <class T>
  static constexpr bool supports = kIsNumeric<T>;
};

struct AddOp : Arith {
  template <class C> C operator()(C a, C b) const { return a + b; }
};
struct SubOp : Arith {
  template <class C> C operator()(C a, C b) const { return a - b; }
};
struct MulOp : Arith {
  template <class C> C operator()(C a, C b) const { return a * b; }
};
// Integer division truncates; x / 0 gives 0 and MIN / -1 wraps instead of
// trapping.
struct DivOp : Arith {
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>) {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<C>)
        if (b == -1) return static_cast<C>(0 - static_cast<std::make_unsigned_t<C>>(a));
    }
    return a / b;
  }
};
// NaN-propagating max / min.
struct MaxOp : Arith {
  template <class C> C operator()(C a, C b) const { return (a > b || is_nan(a)) ? a : b; }
};
struct MinOp : Arith {
  template <class C> C operator()(C a, C b) const { return (a < b || is_nan(a)) ? a : b; }
};

struct ModOp : Arith {
  bool c_fmod = false;  // sign of the dividend (C fmod) instead of the divisor
  template <class C> C operator()(C a, C b) const {
    C r;
    if constexpr (std::is_integral_v<C>) {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<C>)
        if (b == -1) return 0;
      r = static_cast<C>(a % b);
    } else {
      r = std::fmod(a, b);
    }
    if constexpr (std::is_signed_v<C> || !std::is_integral_v<C>)
      if (!c_fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<C>(r + b);
    return r;
  }
};

// base ** exponent, computed in the base's float type or, for integer bases,
// in double and converted back with saturation.
template <class T>
struct PowOp {
  template <class C, class E> auto operator()(C a, E b) const {
    if constexpr (std::is_same_v<C, float>)
      return std::pow(a, static_cast<float>(b));
    else if constexpr (std::is_same_v<C, double>)
      return std::pow(a, static_cast<double>(b));
    else
      return Num<T>::load(from_double<T>(std::pow(static_cast<double>(a), static_cast<double>(b))));
  }
};

odla_value build_pow(odla_value base, odla_value exponent, const odla_value_id id) {
  odla_value a = operand(base, "base");
  odla_value b = operand(exponent, "exponent");
  const Dims out = broadcast_dims(a->type.dims, b->type.dims);
  return visit_dtype(a->type.dtype, [&](auto ta) -> odla_value {
    using T = typename decltype(ta)::type;
    return visit_dtype(b->type.dtype, [&](auto tb) -> odla_value {
      using E = typename decltype(tb)::type;
      if constexpr (kIsNumeric<T> && kIsNumeric<E>) {
        return add_node("odla_Pow", {a, b}, TensorType{a->type.dtype, out}, id,
                        binary_kernel<T, E, T>(out, a->type.dims, b->type.dims, PowOp<T>{}),
                        binary_options(a, b, out, sizeof(T)));
      } else {
        fail("odla_Pow needs numeric operands, got " + type_str(a->type) + " and " +
             type_str(b->type));
      }
    });
  });
}

}  // namespace
}  // namespace odla_rt

using odla_rt::build_binary;
using odla_rt::guard_build;

extern "C" {

odla_value odla_Add(odla_value lhs, odla_value rhs, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_binary<odla_rt::AddOp>(fn, lhs, rhs, id); });
}
odla_value odla_Sub(odla_value lhs, odla_value rhs, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_binary<odla_rt::SubOp>(fn, lhs, rhs, id); });
}
odla_value odla_Mul(odla_value lhs, odla_value rhs, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_binary<odla_rt::MulOp>(fn, lhs, rhs, id); });
}
odla_value odla_Div(odla_value lhs, odla_value rhs, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_binary<odla_rt::DivOp>(fn, lhs, rhs, id); });
}
odla_value odla_Max(odla_value lhs, odla_value rhs, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_binary<odla_rt::MaxOp>(fn, lhs, rhs, id); });
}
odla_value odla_Min(odla_value lhs, odla_value rhs, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_binary<odla_rt::MinOp>(fn, lhs, rhs, id); });
}
odla_value odla_Mod(odla_value lhs, odla_value rhs, odla_int64 fmod, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    odla_rt::ModOp op;
    op.c_fmod = fmod != 0;
    return build_binary(fn, lhs, rhs, id, op);
  });
}
odla_value odla_Pow(odla_value base, odla_value exponent, const odla_value_id id) {
  return guard_build(__func__, [&] { return odla_rt::build_pow(base, exponent, id); });
}

}  // extern "C"
