// Broadcasting comparisons (-> bool), logic on bools, bitwise ops and shifts
// on integers.
#include <climits>

#include "elementwise.h"

namespace odla_rt {
namespace {

struct Compare {
  static constexpr bool kBoolResult = true;
  template <class T>
  static constexpr bool supports = true;
};
struct EqualOp : Compare {
  template <class C> bool operator()(C a, C b) const { return a == b; }
};
struct NotEqualOp : Compare {
  template <class C> bool operator()(C a, C b) const { return a != b; }
};
struct LessOp : Compare {
  template <class C> bool operator()(C a, C b) const { return a < b; }
};
struct LessOrEqualOp : Compare {
  template <class C> bool operator()(C a, C b) const { return a <= b; }
};
struct GreaterOp : Compare {
  template <class C> bool operator()(C a, C b) const { return a > b; }
};
struct GreaterOrEqualOp : Compare {
  template <class C> bool operator()(C a, C b) const { return a >= b; }
};

struct Logic {
  static constexpr bool kBoolResult = true;
  template <class T>
  static constexpr bool supports = kIsBool<T>;
};
struct AndOp : Logic {
  bool operator()(bool a, bool b) const { return a && b; }
};
struct OrOp : Logic {
  bool operator()(bool a, bool b) const { return a || b; }
};
struct XorOp : Logic {
  bool operator()(bool a, bool b) const { return a != b; }
};

struct Bitwise {
  static constexpr bool kBoolResult = false;
  template <class T>
  static constexpr bool supports = kIsInt<T>;
};
struct BitAndOp : Bitwise {
  template <class C> C operator()(C a, C b) const { return static_cast<C>(a & b); }
};
struct BitOrOp : Bitwise {
  template <class C> C operator()(C a, C b) const { return static_cast<C>(a | b); }
};
struct BitXorOp : Bitwise {
  template <class C> C operator()(C a, C b) const { return static_cast<C>(a ^ b); }
};
// Shifts the bit pattern; signed right shifts are arithmetic (ONNX BitShift-28).
// Amounts outside [0, bits) leave only the sign fill: -1 for a right shift of
// a negative value, else 0.
struct ShiftOp : Bitwise {
  bool left = true;
  template <class C> C operator()(C a, C b) const {
    using U = std::make_unsigned_t<C>;
    constexpr uint64_t kBits = sizeof(C) * CHAR_BIT;
    bool out_of_range = static_cast<uint64_t>(b) >= kBits;
    bool negative = false;
    if constexpr (std::is_signed_v<C>) {
      out_of_range = out_of_range || b < 0;
      negative = a < 0;
    }
    if (out_of_range) return static_cast<C>(!left && negative ? -1 : 0);
    const int n = static_cast<int>(b);
    if (!left && negative) {  // shift the complement in unsigned, complement back
      const U shifted = static_cast<U>(static_cast<U>(~static_cast<U>(a)) >> n);
      return static_cast<C>(static_cast<U>(~shifted));
    }
    const U u = static_cast<U>(a);
    return static_cast<C>(left ? static_cast<U>(u << n) : static_cast<U>(u >> n));
  }
};

}  // namespace
}  // namespace odla_rt

using odla_rt::build_binary;
using odla_rt::guard_build;

#define ODLA_BINARY(Name, Op)                                                          \
  odla_value odla_##Name(odla_value lhs, odla_value rhs, const odla_value_id id) {     \
    return guard_build("odla_" #Name, [&] {                                            \
      return build_binary<odla_rt::Op>("odla_" #Name, lhs, rhs, id);                   \
    });                                                                                \
  }

extern "C" {

ODLA_BINARY(Equal, EqualOp)
ODLA_BINARY(NotEqual, NotEqualOp)
ODLA_BINARY(Less, LessOp)
ODLA_BINARY(LessOrEqual, LessOrEqualOp)
ODLA_BINARY(Greater, GreaterOp)
ODLA_BINARY(GreaterOrEqual, GreaterOrEqualOp)
ODLA_BINARY(And, AndOp)
ODLA_BINARY(Or, OrOp)
ODLA_BINARY(Xor, XorOp)
ODLA_BINARY(BitwiseAnd, BitAndOp)
ODLA_BINARY(BitwiseOr, BitOrOp)
ODLA_BINARY(BitwiseXor, BitXorOp)

odla_value odla_Shift(odla_value input, odla_value shift_amount, odla_bool is_left_shift,
                      const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    odla_rt::ShiftOp op;
    op.left = is_left_shift != 0;
    return build_binary(fn, input, shift_amount, id, op);
  });
}

}  // extern "C"
#undef ODLA_BINARY
