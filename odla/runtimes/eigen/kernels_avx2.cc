// The Eigen kernels built for AVX2 + FMA on x86-64 with GCC (see
// kernels_avx512.cc for the scheme).
#include "eigen_std.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#ifndef __AVX__
#define __AVX__ 1
#endif
#ifndef __AVX2__
#define __AVX2__ 1
#endif
#ifndef __FMA__
#define __FMA__ 1
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
#define Eigen eigen_avx2
#define ODLA_EIGEN_ISA avx2
#include "eigen_impl.h"
#pragma GCC pop_options

const odla_eigen::Kernels* odla_eigen::kernels_avx2() { return &odla_eigen::avx2::table; }
#else
const odla_eigen::Kernels* odla_eigen::kernels_avx2() { return nullptr; }
#endif
