// Instruction-set selection for the compute kernels, made once at run time.
#pragma once

namespace odla_ref {

// Kernel families. Each is compiled into every build for its architecture
// (x86: with function-level target attributes, so the library needs no
// -march flag); the one used is chosen at the first call.
enum class Isa { kPortable, kAvx2, kAvx512, kNeon };

// "portable", "avx2", "avx512", "neon".
const char* isa_name(Isa isa);

// Whether this build has the kernels for `isa` and the CPU runs them
// (x86: __builtin_cpu_supports; portable always).
bool isa_available(Isa isa);

// The ISA the kernels use: the best available one, or the one named by the
// environment variable ODLA_ISA (avx512 | avx2 | neon | portable) when it is
// available; asking for one the CPU lacks gives the best available one below
// it (portable at worst). Read once, at the first call.
Isa active_isa();

// Whether the int8 GEMM may use AMX (tdpbusd; x86-64 Linux): the CPU has
// AMX-TILE and AMX-INT8, the OS grants this process the tile data state
// (arch_prctl ARCH_REQ_XCOMP_PERM, requested here), and ODLA_ISA is unset or
// "amx" (ODLA_ISA=amx runs every other kernel as the best available ISA, like
// an unset ODLA_ISA; any other value keeps AMX off). Checked once.
bool amx_int8_available();

}  // namespace odla_ref
