// Elementwise unary math: arithmetic, rounding, transcendental functions,
// predicates, Clamp.
#include <cmath>

#include "elementwise.h"

namespace odla_rt {
namespace {

struct FloatFn {
  static constexpr bool kBoolResult = false;
  template <class T>
  static constexpr bool supports = kIsFloat<T>;
};

#define ODLA_FLOAT_FN(Name, expr)                 \
  struct Name : FloatFn {                         \
    template <class C> C operator()(C x) const { \
      return expr;                                \
    }                                             \
  };

ODLA_FLOAT_FN(ExpOp, std::exp(x))
ODLA_FLOAT_FN(LogOp, std::log(x))
ODLA_FLOAT_FN(SqrtOp, std::sqrt(x))
ODLA_FLOAT_FN(RsqrtOp, C(1) / std::sqrt(x))
ODLA_FLOAT_FN(ReciprocalOp, C(1) / x)
ODLA_FLOAT_FN(FloorOp, std::floor(x))
ODLA_FLOAT_FN(CeilOp, std::ceil(x))
ODLA_FLOAT_FN(RoundOp, std::nearbyint(x))  // default mode: half to even
ODLA_FLOAT_FN(ErfOp, std::erf(x))
ODLA_FLOAT_FN(SinOp, std::sin(x))
ODLA_FLOAT_FN(CosOp, std::cos(x))
ODLA_FLOAT_FN(TanOp, std::tan(x))
ODLA_FLOAT_FN(ASinOp, std::asin(x))
ODLA_FLOAT_FN(ACosOp, std::acos(x))
ODLA_FLOAT_FN(ATanOp, std::atan(x))
ODLA_FLOAT_FN(SinhOp, std::sinh(x))
ODLA_FLOAT_FN(CoshOp, std::cosh(x))
ODLA_FLOAT_FN(TanhOp, std::tanh(x))
ODLA_FLOAT_FN(ASinhOp, std::asinh(x))
ODLA_FLOAT_FN(ACoshOp, std::acosh(x))
ODLA_FLOAT_FN(ATanhOp, std::atanh(x))
#undef ODLA_FLOAT_FN

struct AbsOp {
  static constexpr bool kBoolResult = false;
  template <class T>
  static constexpr bool supports = kIsNumeric<T>;
  template <class C> C operator()(C x) const {
    if constexpr (std::is_unsigned_v<C>)
      return x;
    else
      return x < 0 ? static_cast<C>(0 - x) : x;
  }
};
struct NegOp {
  static constexpr bool kBoolResult = false;
  template <class T>
  static constexpr bool supports = kIsFloat<T> || kIsSignedInt<T>;
  template <class C> C operator()(C x) const { return static_cast<C>(0 - x); }
};
struct SignOp {
  static constexpr bool kBoolResult = false;
  template <class T>
  static constexpr bool supports = kIsNumeric<T>;
  template <class C> C operator()(C x) const {
    if constexpr (std::is_unsigned_v<C>)
      return x > 0 ? 1 : 0;
    else
      return is_nan(x) ? x : static_cast<C>((x > 0) - (x < 0));
  }
};
struct NotOp {
  static constexpr bool kBoolResult = true;
  template <class T>
  static constexpr bool supports = kIsBool<T>;
  bool operator()(bool x) const { return !x; }
};
struct BitwiseNotOp {
  static constexpr bool kBoolResult = false;
  template <class T>
  static constexpr bool supports = kIsInt<T>;
  template <class C> C operator()(C x) const { return static_cast<C>(~x); }
};
struct IsNaNOp {
  static constexpr bool kBoolResult = true;
  template <class T>
  static constexpr bool supports = kIsFloat<T>;
  template <class C> bool operator()(C x) const { return std::isnan(x); }
};
struct IsInfOp {
  static constexpr bool kBoolResult = true;
  template <class T>
  static constexpr bool supports = kIsFloat<T>;
  bool pos = true, neg = true;
  template <class C> bool operator()(C x) const {
    return std::isinf(x) && (x > 0 ? pos : neg);
  }
};

// Clamp bounds as the input's compute type.
template <class C>
struct ClampOp {
  static constexpr bool kBoolResult = false;
  C lo, hi;
  C operator()(C x) const { return x < lo ? lo : (x > hi ? hi : x); }
};

odla_value build_clamp(odla_value input, float lo, float hi, const odla_value_id id) {
  odla_value x = operand(input, "input");
  if (!(lo <= hi)) fail("Clamp needs lo <= hi");
  const TensorType& t = x->type;
  return visit_dtype(t.dtype, [&](auto tag) -> odla_value {
    using T = typename decltype(tag)::type;
    if constexpr (kIsNumeric<T>) {
      using C = typename Num<T>::C;
      ClampOp<C> op{Num<T>::load(from_double<T>(lo)), Num<T>::load(from_double<T>(hi))};
      NodeOptions options;
      options.inplace_input = 0;
      if constexpr (std::is_same_v<T, float>)  // NaN stays NaN, as in ClampOp
        options.clamp = odla_ref::detail::Activation{op.lo, op.hi, false};
      if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t>)  // for int8 kernels
        options.params = odla_ref::detail::Activation{static_cast<float>(op.lo),
                                                      static_cast<float>(op.hi), false};
      return add_node("odla_Clamp", {x}, t, id, unary_kernel<T, T>(t.numel(), op), options);
    } else {
      throw_unsupported_type("odla_Clamp", t.dtype);
    }
  });
}

}  // namespace
}  // namespace odla_rt

using odla_rt::build_unary;
using odla_rt::guard_build;

#define ODLA_UNARY(Name, Op)                                           \
  odla_value odla_##Name(odla_value input, const odla_value_id id) {   \
    return guard_build("odla_" #Name, [&] {                            \
      return build_unary<odla_rt::Op>("odla_" #Name, input, id);       \
    });                                                                \
  }

extern "C" {

ODLA_UNARY(Abs, AbsOp)
ODLA_UNARY(Neg, NegOp)
ODLA_UNARY(Sign, SignOp)
ODLA_UNARY(Exp, ExpOp)
ODLA_UNARY(Log, LogOp)
ODLA_UNARY(Sqrt, SqrtOp)
ODLA_UNARY(Rsqrt, RsqrtOp)
ODLA_UNARY(Reciprocal, ReciprocalOp)
ODLA_UNARY(Floor, FloorOp)
ODLA_UNARY(Ceil, CeilOp)
ODLA_UNARY(Round, RoundOp)
ODLA_UNARY(Erf, ErfOp)
ODLA_UNARY(Sin, SinOp)
ODLA_UNARY(Cos, CosOp)
ODLA_UNARY(Tan, TanOp)
ODLA_UNARY(ASin, ASinOp)
ODLA_UNARY(ACos, ACosOp)
ODLA_UNARY(ATan, ATanOp)
ODLA_UNARY(Sinh, SinhOp)
ODLA_UNARY(Cosh, CoshOp)
ODLA_UNARY(Tanh, TanhOp)
ODLA_UNARY(ASinh, ASinhOp)
ODLA_UNARY(ACosh, ACoshOp)
ODLA_UNARY(ATanh, ATanhOp)
ODLA_UNARY(Not, NotOp)
ODLA_UNARY(BitwiseNot, BitwiseNotOp)
ODLA_UNARY(IsNaN, IsNaNOp)

odla_value odla_IsInf(odla_value input, odla_bool detect_pos, odla_bool detect_neg,
                      const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    odla_rt::IsInfOp op;
    op.pos = detect_pos != 0;
    op.neg = detect_neg != 0;
    return build_unary(fn, input, id, op);
  });
}

odla_value odla_Clamp(odla_value input, odla_float32 lo, odla_float32 hi,
                      const odla_value_id id) {
  return guard_build(__func__, [&] { return odla_rt::build_clamp(input, lo, hi, id); });
}

}  // extern "C"
#undef ODLA_UNARY
