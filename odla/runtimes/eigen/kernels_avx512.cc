// The Eigen kernels built for AVX-512 (F, DQ, VL, BW; with AVX2 and FMA) on
// x86-64 with GCC: std headers first (baseline target), then the target pragma
// and Eigen under its own namespace name. See eigen_kernels.h.
#include "eigen_std.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma,f16c")
// GCC's target pragma does not define the feature macros Eigen tests.
#ifndef __AVX__
#define __AVX__ 1
#endif
#ifndef __AVX2__
#define __AVX2__ 1
#endif
#ifndef __FMA__
#define __FMA__ 1
#endif
#ifndef __AVX512F__
#define __AVX512F__ 1
#endif
#ifndef __AVX512DQ__
#define __AVX512DQ__ 1
#endif
#ifndef __AVX512VL__
#define __AVX512VL__ 1
#endif
#ifndef __AVX512BW__
#define __AVX512BW__ 1
#endif
#ifndef __SSE3__
#define __SSE3__ 1
#endif
#ifndef __SSSE3__
#define __SSSE3__ 1
#endif
#ifndef __SSE4_1__
#define __SSE4_1__ 1
#endif
#ifndef __SSE4_2__
#define __SSE4_2__ 1
#endif
#define Eigen eigen_avx512
#define ODLA_EIGEN_ISA avx512
#include "eigen_impl.h"
#pragma GCC pop_options

const odla_eigen::Kernels* odla_eigen::kernels_avx512() { return &odla_eigen::avx512::table; }
#else
const odla_eigen::Kernels* odla_eigen::kernels_avx512() { return nullptr; }
#endif
