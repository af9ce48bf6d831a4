// ISA selection: ODLA_ISA is honoured when the CPU has the ISA, else the best
// available one below it is used; the GEMM kernel matches the choice.
#pragma once

#include <cstdlib>
#include <cstring>

#include "harness.h"
#include "kernels/gemm_kernels.h"
#include "kernels/isa.h"
#include "kernels/parallel.h"

namespace kt {

inline void test_isa() {
  using odla_ref::Isa;
  const Isa active = odla_ref::active_isa();
  const char* env = std::getenv("ODLA_ISA");
  std::printf("kernel ISA: %s (ODLA_ISA=%s), threads: %d\n", odla_ref::isa_name(active),
              env != nullptr ? env : "unset", odla_ref::num_threads());
  check("active ISA is available", odla_ref::isa_available(active));
  check("portable always available", odla_ref::isa_available(Isa::kPortable));
  const Isa all[] = {Isa::kAvx512, Isa::kAvx2, Isa::kNeon, Isa::kPortable};
  for (Isa isa : all) {
    if (env != nullptr && std::strcmp(env, odla_ref::isa_name(isa)) == 0 &&
        odla_ref::isa_available(isa))
      check(std::string("ODLA_ISA=") + env + " honoured", active == isa);
  }
  if (env == nullptr) {  // unset: the best available one
    for (Isa isa : all) {
      if (!odla_ref::isa_available(isa)) continue;
      check("best ISA chosen", active == isa);
      break;
    }
  }
  const odla_ref::detail::GemmKernel& k = odla_ref::detail::gemm_kernel();
  check("GEMM kernel of the active ISA", k.isa == active);
  check("GEMM panel width", k.nr == odla_ref::detail::gemm_panel_width() &&
                                k.nr <= odla_ref::detail::kGemmMaxNR && k.mr > 0);
}

}  // namespace kt
