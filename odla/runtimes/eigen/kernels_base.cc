// The Eigen kernels for the target's baseline instruction set (SSE2 on x86-64,
// NEON on aarch64, whatever -march gives elsewhere); always built.
#include "eigen_std.h"

#define Eigen eigen_base
#define ODLA_EIGEN_ISA base
#include "eigen_impl.h"

const odla_eigen::Kernels* odla_eigen::kernels_base() { return &odla_eigen::base::table; }
