#include "kernels/isa.h"

#include <cstdlib>
#include <cstring>

namespace odla_ref {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
    case Isa::kNeon: return "neon";
    default: return "portable";
  }
}

bool isa_available(Isa isa) {
  switch (isa) {
    case Isa::kPortable: return true;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
             __builtin_cpu_supports("fma");
#endif
#if defined(__aarch64__)
    case Isa::kNeon: return true;
#endif
    default: return false;
  }
}

namespace {

// Best first; a request falls back along this order.
constexpr Isa kOrder[] = {Isa::kAvx512, Isa::kAvx2, Isa::kNeon, Isa::kPortable};

Isa choose() {
  int start = 0;
  if (const char* env = std::getenv("ODLA_ISA")) {
    for (int i = 0; i < 4; ++i)
      if (std::strcmp(env, isa_name(kOrder[i])) == 0) start = i;
  }
  for (int i = start; i < 4; ++i)
    if (isa_available(kOrder[i])) return kOrder[i];
  return Isa::kPortable;
}

}  // namespace

Isa active_isa() {
  static const Isa isa = choose();
  return isa;
}

}  // namespace odla_ref
