// N-d convolution and transposed convolution, float32, channels first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/gemm_panels.h"

namespace odla_ref {

constexpr int kMaxSpatial = 3;

// Geometry shared by conv and deconv. Only the first `spatial` (1..3) entries
// of the per-axis arrays are read. Output dims are authoritative (the caller
// computed them, including ceil/output_padding effects); back pads are implied
// by them. strides/dilations must be >= 1.
struct ConvParams {
  int spatial = 2;
  int64_t batch = 1;
  int64_t in_channels = 0;   // C_in
  int64_t out_channels = 0;  // C_out
  int64_t group = 1;         // divides C_in and C_out
  int64_t in_dims[kMaxSpatial] = {1, 1, 1};   // input spatial dims
  int64_t out_dims[kMaxSpatial] = {1, 1, 1};  // output spatial dims
  int64_t kernel[kMaxSpatial] = {1, 1, 1};
  int64_t strides[kMaxSpatial] = {1, 1, 1};
  int64_t dilations[kMaxSpatial] = {1, 1, 1};
  int64_t pads_front[kMaxSpatial] = {0, 0, 0};
};

// Scratch bytes conv() needs for `p`: nonzero only for stride-1 convs that
// are neither pointwise nor depthwise (zero-padded input copy + wide output,
// or the Winograd transforms).
size_t conv_workspace_bytes(const ConvParams& p);

// Convolution. input [N, C_in, in...], weight [C_out, C_in/group, k...]
// (ODLA_OIS), bias [C_out] or null, output [N, C_out, out...].
// workspace: conv_workspace_bytes(p) bytes, 64-byte alignment recommended;
// may be null, then a per-thread buffer that grows and is reused is used.
// Paths: depthwise (group == C_in, C_out a multiple of C_in) runs a direct
// kernel; 1x1 stride-1 unpadded runs sgemm on the input as is; 2-D 3x3
// stride-1 ones with planes of 14x14 or more run Winograd F(2x2, 3x3); other
// stride-1 convs run a GEMM over shifted views of a padded input copy;
// strided ones pack im2col panels on the fly.
// packed: the weights from pack_conv_weights (same p and weight), or null.
// act: applied to every output value (a fused Relu/Clamp), as the GEMM stores
// its tiles where it can.
void conv(const ConvParams& p, const float* input, const float* weight,
          const float* bias, float* output, void* workspace,
          const struct ConvWeights* packed = nullptr, const detail::Activation& act = {});

// Constant weights packed once for conv()'s GEMMs (one operand per group);
// empty for the depthwise path, which reads the weights as they are. For the
// Winograd path (2-D 3x3 stride 1, see winograd.h) `winograd` holds the 16
// transformed matrices instead and `groups` is empty.
struct ConvWeights {
  std::vector<detail::PackedA> groups;
  std::vector<detail::PackedA> winograd;
};
ConvWeights pack_conv_weights(const ConvParams& p, const float* weight);

// Scratch bytes deconv() needs for `p`.
size_t deconv_workspace_bytes(const ConvParams& p);

// Transposed convolution (ONNX ConvTranspose). input [N, C_in, in...],
// weight [C_in, C_out/group, k...] (ODLA_IOS), bias [C_out] or null,
// output [N, C_out, out...]. Input position i and kernel tap k land on output
// position i*stride - pad_front + k*dilation (dropped when outside out dims).
// workspace as for conv().
void deconv(const ConvParams& p, const float* input, const float* weight,
            const float* bias, float* output, void* workspace);

}  // namespace odla_ref
