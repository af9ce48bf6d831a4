#include "dtype.h"

#include <stdexcept>

namespace odla_rt {

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24 is exact in float.
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign != 0 ? -magnitude : magnitude;
  } else {
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  uint32_t magnitude = x & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) {  // infinity or NaN (keep NaN quiet)
    const bool nan = magnitude > 0x7f800000u;
    return static_cast<uint16_t>(sign | 0x7c00u |
                                 (nan ? 0x200u | ((magnitude >> 13) & 0x3ffu) : 0u));
  }
  if (magnitude >= 0x477ff000u) return sign | 0x7c00u;  // rounds past 65504
  if (magnitude < 0x38800000u) {
    // Result is subnormal (or zero): adding 0.5 puts the value's 2^-24 units
    // in the low mantissa bits, rounded to nearest even by the FPU.
    float a;
    std::memcpy(&a, &magnitude, sizeof a);
    const float shifted = a + 0.5f;
    uint32_t bits;
    std::memcpy(&bits, &shifted, sizeof bits);
    return static_cast<uint16_t>(sign | (bits - 0x3f000000u));
  }
  // Normal: rebias the exponent (127 -> 15) and round the 13 dropped bits to
  // nearest even; a carry out of the mantissa correctly bumps the exponent.
  const uint32_t odd = (magnitude >> 13) & 1u;
  magnitude += 0xc8000fffu + odd;
  return static_cast<uint16_t>(sign | (magnitude >> 13));
}

uint16_t double_to_half(double d) {
  // Round to float with "round to odd", then to half with nearest even: with
  // float's 13 spare bits this equals a single correctly rounded conversion.
  float f = static_cast<float>(d);
  if (std::isfinite(d) && std::isfinite(f) && static_cast<double>(f) != d) {
    if (std::fabs(static_cast<double>(f)) > std::fabs(d))
      f = std::nextafter(f, 0.0f);
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    bits |= 1u;
    std::memcpy(&f, &bits, sizeof f);
  }
  return float_to_half(f);
}

uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);
  // Round the 16 dropped bits to nearest even; a carry correctly bumps the exponent
  // (to infinity past the largest finite bfloat16).
  x += 0x7fffu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(x >> 16);
}

uint16_t double_to_bf16(double d) {
  // As double_to_half: "round to odd" into float keeps the result a single rounding.
  float f = static_cast<float>(d);
  if (std::isfinite(d) && std::isfinite(f) && static_cast<double>(f) != d) {
    if (std::fabs(static_cast<double>(f)) > std::fabs(d)) f = std::nextafter(f, 0.0f);
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    bits |= 1u;
    std::memcpy(&f, &bits, sizeof f);
  }
  return float_to_bf16(f);
}

bool is_supported(odla_element_type t) { return element_size(t) != 0; }

size_t element_size(odla_element_type t) {
  switch (t) {
    case ODLA_BOOL:
    case ODLA_INT8:
    case ODLA_UINT8: return 1;
    case ODLA_FLOAT16:
    case ODLA_BFLOAT16:
    case ODLA_INT16:
    case ODLA_UINT16: return 2;
    case ODLA_FLOAT32:
    case ODLA_INT32:
    case ODLA_UINT32: return 4;
    case ODLA_FLOAT64:
    case ODLA_INT64:
    case ODLA_UINT64: return 8;
    default: return 0;
  }
}

const char* dtype_name(odla_element_type t) {
  switch (t) {
    case ODLA_FLOAT32: return "float32";
    case ODLA_FLOAT64: return "float64";
    case ODLA_FLOAT16: return "float16";
    case ODLA_BFLOAT16: return "bfloat16";
    case ODLA_INT8: return "int8";
    case ODLA_UINT8: return "uint8";
    case ODLA_INT16: return "int16";
    case ODLA_UINT16: return "uint16";
    case ODLA_INT32: return "int32";
    case ODLA_UINT32: return "uint32";
    case ODLA_INT64: return "int64";
    case ODLA_UINT64: return "uint64";
    case ODLA_BOOL: return "bool";
    case ODLA_STRING: return "string";
    default: return "quantized";
  }
}

void throw_unsupported(odla_element_type t) {
  if (t == ODLA_BFLOAT16)
    throw std::invalid_argument(
        "element type bfloat16 is a storage type only: odla_Cast converts it to and from "
        "the types ops compute with");
  throw std::invalid_argument(std::string("element type ") + dtype_name(t) +
                              " is not supported by the reference runtime");
}

}  // namespace odla_rt
