#include "kernels/isa.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#define ODLA_ISA_AMX_LINUX 1
#endif

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

namespace {

bool amx_requested() {
  const char* env = std::getenv("ODLA_ISA");
  return env == nullptr || std::strcmp(env, "amx") == 0;
}

#if defined(ODLA_ISA_AMX_LINUX)
// CPUID leaf 7: EDX bit 24 AMX-TILE, bit 25 AMX-INT8; then the kernel's permission for the
// tile data state (XFEATURE_XTILEDATA = 18), process-wide.
bool amx_granted() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  if ((d & (1u << 24)) == 0 || (d & (1u << 25)) == 0) return false;
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
}
#else
bool amx_granted() { return false; }
#endif

}  // namespace

bool amx_int8_available() {
  static const bool ok = amx_requested() && active_isa() == Isa::kAvx512 && amx_granted();
  return ok;
}

}  // namespace odla_ref
