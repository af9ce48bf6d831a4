// Winograd F(2x2, 3x3) convolution for 2-D 3x3 stride-1 undilated convs
// (internal; used by conv()). Per 2x2 output tile: 16 products per channel
// pair instead of 36, as 16 GEMMs U[xi] (C_out x C_in) * V[xi] (C_in x tiles).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/conv_geometry.h"
#include "kernels/gemm_panels.h"

namespace odla_ref {
namespace detail {

// Whether conv() takes the Winograd path for `p`.
bool winograd_applies(const ConvParams& p);

// Scratch bytes of winograd_conv (transformed input and products).
size_t winograd_workspace_bytes(const ConvParams& p);

// The 16 transformed weight matrices U[xi] = (G g G^T)[xi], packed for the GEMM.
std::vector<PackedA> winograd_pack_weights(const ConvParams& p, const float* weight);

// One image: x [C_in, H, W] -> y [C_out, OH, OW] = act(conv + bias).
void winograd_conv(const ConvParams& p, const float* x, const std::vector<PackedA>& u,
                   const float* bias, const Activation& act, float* y, float* ws);

}  // namespace detail
}  // namespace odla_ref
