// Direct depthwise convolution (internal; conv() dispatches here).
#pragma once

#include "kernels/conv.h"

namespace odla_ref {
namespace detail {

// Requires p.group == p.in_channels and p.out_channels % p.in_channels == 0:
// output channel oc reads input channel oc / (C_out / C_in).
void depthwise_conv(const ConvParams& p, const float* input,
                    const float* weight, const float* bias, float* output);

}  // namespace detail
}  // namespace odla_ref
