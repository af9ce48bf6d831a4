// Normalization kernels, float32. Layout [outer, C, inner] (channels first).
#pragma once

#include <cstdint>

namespace odla_ref {

// Inference batch norm over x[N, C, inner] (channel axis 1, inner = product of
// the remaining dims): y = (x - mean[c]) / sqrt(var[c] + eps) * scale[c]
// + bias[c]. scale null means 1, bias null means 0. y may alias x.
void batch_norm(const float* x, float* y, int64_t N, int64_t C, int64_t inner,
                const float* mean, const float* var, const float* scale,
                const float* bias, float eps);

// Instance norm: for each (n, c), normalize x[n, c, :] (inner elements) by its
// own mean and biased variance, then * scale[c] + bias[c] (null: 1 / 0).
void instance_norm(const float* x, float* y, int64_t N, int64_t C,
                   int64_t inner, const float* scale, const float* bias,
                   float eps);

// Layer norm: for each of `outer` rows of `inner` elements, normalize by the
// row's mean and biased variance, then * scale[i] + bias[i] (each [inner],
// null: 1 / 0).
void layer_norm(const float* x, float* y, int64_t outer, int64_t inner,
                const float* scale, const float* bias, float eps);

// LRN across channels (ONNX): y = x / (bias + alpha / size * sum)^beta where
// sum is the sum of x^2 over channels [c - floor((size-1)/2),
// c + ceil((size-1)/2)] clipped to [0, C). x is [N, C, inner].
void lrn(const float* x, float* y, int64_t N, int64_t C, int64_t inner,
         int64_t size, float alpha, float beta, float bias);

}  // namespace odla_ref
