// Element types of the reference runtime: storage types, the arithmetic
// ("compute") type of each, float16 conversion, and dispatch from
// odla_element_type to a C++ type.
#pragma once

#include <ODLA/odla_common.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

namespace odla_rt {

// IEEE binary16 stored as its bit pattern; arithmetic happens in float.
struct half_t {
  uint16_t bits;
};
// ODLA_BOOL element: one byte, 0 or 1 (any non-zero byte reads as true).
struct bool_t {
  uint8_t byte;
};

float half_to_float(uint16_t h);
uint16_t float_to_half(float f);    // round to nearest even
uint16_t double_to_half(double d);  // single rounding, nearest even

// bfloat16 (the upper half of a float32) as its bit pattern. A storage type only:
// odla_Cast converts to and from it, no other op computes with it (visit_dtype
// rejects it), and element_size() knows it so constants and arguments can hold it.
inline float bf16_to_float(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
uint16_t float_to_bf16(float f);    // round to nearest even (NaN stays a quiet NaN)
uint16_t double_to_bf16(double d);  // single rounding, nearest even

// Compute type and load/store between storage and compute type.
template <class T>
struct Num {
  using C = T;
  static C load(T v) { return v; }
  static T store(C c) { return c; }
};
template <>
struct Num<half_t> {
  using C = float;
  static C load(half_t v) { return half_to_float(v.bits); }
  static half_t store(C c) { return half_t{float_to_half(c)}; }
};
template <>
struct Num<bool_t> {
  using C = bool;
  static C load(bool_t v) { return v.byte != 0; }
  static bool_t store(C c) { return bool_t{static_cast<uint8_t>(c ? 1 : 0)}; }
};

template <class T>
inline constexpr bool kIsFloat = std::is_same_v<T, float> ||
                                 std::is_same_v<T, double> ||
                                 std::is_same_v<T, half_t>;
template <class T>
inline constexpr bool kIsBool = std::is_same_v<T, bool_t>;
template <class T>
inline constexpr bool kIsInt = std::is_integral_v<T>;
template <class T>
inline constexpr bool kIsSignedInt = std::is_integral_v<T> && std::is_signed_v<T>;
template <class T>
inline constexpr bool kIsNumeric = kIsFloat<T> || kIsInt<T>;

// Converts a double to integer type I: truncation toward zero, saturating at
// the type's limits, NaN gives 0 (plain casts are undefined there).
template <class I>
I saturate_cast(double v) {
  if (std::isnan(v)) return 0;
  if (v <= static_cast<double>(std::numeric_limits<I>::lowest()))
    return std::numeric_limits<I>::lowest();
  if (v >= static_cast<double>(std::numeric_limits<I>::max()))
    return std::numeric_limits<I>::max();
  return static_cast<I>(v);
}

// Stores a double into any storage type (ints saturate, float16 rounds once).
template <class T>
T from_double(double v) {
  if constexpr (std::is_same_v<T, half_t>) {
    return half_t{double_to_half(v)};
  } else if constexpr (kIsBool<T>) {
    return bool_t{static_cast<uint8_t>(v != 0.0 ? 1 : 0)};
  } else if constexpr (kIsInt<T>) {
    return saturate_cast<T>(v);
  } else {
    return static_cast<T>(v);
  }
}

template <class T>
double to_double(T v) {
  return static_cast<double>(Num<T>::load(v));
}

// isnan for any compute type (false for integers and bool).
template <class C>
bool is_nan(C v) {
  if constexpr (std::is_floating_point_v<C>)
    return std::isnan(v);
  else
    return false;
}

template <class T>
struct Tag {
  using type = T;
};

bool is_supported(odla_element_type t);
size_t element_size(odla_element_type t);  // 0 when unsupported
const char* dtype_name(odla_element_type t);

[[noreturn]] void throw_unsupported(odla_element_type t);

// Calls f(Tag<T>{}) with T the storage type of `t`; throws for types this
// runtime does not compute with.
template <class F>
decltype(auto) visit_dtype(odla_element_type t, F&& f) {
  switch (t) {
    case ODLA_FLOAT32: return f(Tag<float>{});
    case ODLA_FLOAT64: return f(Tag<double>{});
    case ODLA_FLOAT16: return f(Tag<half_t>{});
    case ODLA_INT8: return f(Tag<int8_t>{});
    case ODLA_UINT8: return f(Tag<uint8_t>{});
    case ODLA_INT16: return f(Tag<int16_t>{});
    case ODLA_UINT16: return f(Tag<uint16_t>{});
    case ODLA_INT32: return f(Tag<int32_t>{});
    case ODLA_UINT32: return f(Tag<uint32_t>{});
    case ODLA_INT64: return f(Tag<int64_t>{});
    case ODLA_UINT64: return f(Tag<uint64_t>{});
    case ODLA_BOOL: return f(Tag<bool_t>{});
    default: throw_unsupported(t);
  }
}

// Unsigned integer type of the given byte size, for type-agnostic copies.
template <size_t N>
using Bytes = std::conditional_t<
    N == 1, uint8_t,
    std::conditional_t<N == 2, uint16_t,
                       std::conditional_t<N == 4, uint32_t, uint64_t>>>;

// Calls f(Tag<Bytes<size>>{}) for element sizes 1, 2, 4, 8.
template <class F>
decltype(auto) visit_size(size_t size, F&& f) {
  switch (size) {
    case 1: return f(Tag<uint8_t>{});
    case 2: return f(Tag<uint16_t>{});
    case 4: return f(Tag<uint32_t>{});
    default: return f(Tag<uint64_t>{});
  }
}

}  // namespace odla_rt
