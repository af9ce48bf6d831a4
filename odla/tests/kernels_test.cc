// Standalone test of the reference ODLA runtime's compute kernels: every
// kernel is compared with a naive loop implementation over odd shapes.
// Prints "N passed, M failed"; exits non-zero on any failure.
#include <cstdio>

#include "kernel_tests/harness.h"
#include "kernel_tests/test_conv.h"
#include "kernel_tests/test_gemm.h"
#include "kernel_tests/test_isa.h"
#include "kernel_tests/test_norm.h"
#include "kernel_tests/test_parallel.h"
#include "kernel_tests/test_pool.h"
#include "kernel_tests/test_resize_cases.h"

int main() {
  kt::test_isa();
  kt::test_parallel();
  kt::test_gemm();
  kt::test_conv();
  kt::test_pool();
  kt::test_norm();
  kt::test_resize();
  const kt::Counts& c = kt::counts();
  std::printf("%d passed, %d failed\n", c.passed, c.failed);
  return c.failed == 0 ? 0 : 1;
}
