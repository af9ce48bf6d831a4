// Integer GEMM micro-kernels for x86: AVX-512 VNNI and AVX2 (see qgemm.h).
#include "kernels/qgemm.h"

namespace odla_ref {
namespace detail {
const QGemmKernel* qgemm_kernel_avx2() { return nullptr; }
const QGemmKernel* qgemm_kernel_vnni() { return nullptr; }
}  // namespace detail
}  // namespace odla_ref
