// The Eigen runtime's kernels, behind an ISA-neutral interface (no Eigen types
// here). eigen_impl.h implements them once; kernels_avx512.cc, kernels_avx2.cc
// (x86-64) and kernels_base.cc (the target's baseline: SSE2 on x86-64, NEON on
// aarch64) compile that implementation each in its own namespace, with Eigen's
// namespace renamed per copy, so the copies never share a symbol. kernels()
// picks one set once (CPU features, or ODLA_ISA = avx512 | avx2 | portable).
//
// Every kernel runs on one Eigen::ThreadPoolDevice per process (threads:
// ODLA_NUM_THREADS, else the hardware concurrency). Kernels only read their
// arguments and write their outputs and scratch: calls from several threads at
// once are fine (each waits for its own tasks).
#pragma once

#include <cstddef>
#include <cstdint>

#include "activation.h"
#include "kernels/conv.h"
#include "kernels/pool.h"

namespace odla_eigen {

using odla_ref::detail::Activation;

// Y = alpha * op(A) * op(B) (+ C), row-major, `batches` independent products
// at the given element strides (0: the operand is shared by every batch).
// C (optional, already scaled by beta unless beta == 1; see c_mode) is added
// as: 0 none, 1 a scalar, 2 a row of N (broadcast over rows), 3 a full M x N
// matrix per batch (c_stride apart), 4 a column of M.
struct GemmArgs {
  bool trans_a = false, trans_b = false;
  int64_t M = 0, N = 0, K = 0;
  float alpha = 1, beta = 1;
  int64_t batches = 1, a_stride = 0, b_stride = 0, c_stride = 0;
  int c_mode = 0;
};

struct Kernels {
  const char* isa;
  // 2-D NCHW conv, group 1: im2col into `scratch` (conv_scratch_bytes) and one
  // Eigen tensor contraction per image, with bias and `act` applied by the
  // contraction's output kernel as each block is stored.
  void (*conv2d)(const odla_ref::ConvParams& p, const float* x, const float* w,
                 const float* bias, float* y, float* scratch, const Activation& act);
  void (*gemm)(const GemmArgs& g, const float* a, const float* b, const float* c, float* y,
               const Activation& act);
  // y = act(a + b) or act(a * b), n elements each (y may be a or b).
  void (*add)(const float* a, const float* b, float* y, int64_t n, const Activation& act);
  void (*mul)(const float* a, const float* b, float* y, int64_t n);
  void (*clamp)(const float* x, float* y, int64_t n, const Activation& act);
  // 2-D pools (PoolParams with spatial == 2), planes split over the device.
  void (*max_pool)(const odla_ref::PoolParams& p, const float* x, float* y);
  void (*avg_pool)(const odla_ref::PoolParams& p, const float* x, float* y);
};

const Kernels& kernels();

// True when conv2d reads the input directly (1x1, stride 1, no padding).
bool conv_is_pointwise(const odla_ref::ConvParams& p);
size_t conv_scratch_bytes(const odla_ref::ConvParams& p);

// The kernel sets built into this library (defined per ISA file; null when
// the build lacks one).
const Kernels* kernels_avx512();
const Kernels* kernels_avx2();
const Kernels* kernels_base();

// Thread count for the device (ODLA_NUM_THREADS, else hardware concurrency).
int device_threads();

}  // namespace odla_eigen
