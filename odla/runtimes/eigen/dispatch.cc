// Chooses the Eigen kernel set once (eigen_kernels.h) and the shared helpers.
#include <cstdlib>
#include <cstring>
#include <thread>

#include "eigen_kernels.h"

namespace odla_eigen {
namespace {

bool cpu_has(const char* isa) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  if (std::strcmp(isa, "avx512") == 0)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (std::strcmp(isa, "avx2") == 0)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  (void)isa;
  return false;
}

const Kernels* choose() {
  // ODLA_ISA caps the choice: avx512 -> avx2 -> base ("portable", "neon": base).
  const char* env = std::getenv("ODLA_ISA");
  int cap = 2;
  if (env != nullptr) {
    if (std::strcmp(env, "avx2") == 0) cap = 1;
    else if (std::strcmp(env, "avx512") != 0) cap = 0;
  }
  if (cap >= 2 && kernels_avx512() != nullptr && cpu_has("avx512")) return kernels_avx512();
  if (cap >= 1 && kernels_avx2() != nullptr && cpu_has("avx2")) return kernels_avx2();
  return kernels_base();
}

}  // namespace

const Kernels& kernels() {
  static const Kernels* k = choose();
  return *k;
}

int device_threads() {
  if (const char* env = std::getenv("ODLA_NUM_THREADS")) {
    const long n = std::strtol(env, nullptr, 10);
    if (n > 0) return static_cast<int>(n < 256 ? n : 256);
  }
  const unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? static_cast<int>(hc) : 1;
}

bool conv_is_pointwise(const odla_ref::ConvParams& p) {
  return p.kernel[0] == 1 && p.kernel[1] == 1 && p.strides[0] == 1 && p.strides[1] == 1 &&
         p.pads_front[0] == 0 && p.pads_front[1] == 0 && p.out_dims[0] == p.in_dims[0] &&
         p.out_dims[1] == p.in_dims[1];
}

size_t conv_scratch_bytes(const odla_ref::ConvParams& p) {
  if (conv_is_pointwise(p)) return 0;
  return static_cast<size_t>(p.in_channels * p.kernel[0] * p.kernel[1]) *
         static_cast<size_t>(p.out_dims[0] * p.out_dims[1]) * sizeof(float);
}

}  // namespace odla_eigen
