// Softmax family over one axis of a tensor viewed as [outer, axis_len, inner],
// in float32 and float64.
#pragma once

#include <cstdint>

namespace odla_ref {

// y = exp(x - max) / sum(exp(x - max)) along the axis. y may alias x.
void softmax(const float* x, float* y, int64_t outer, int64_t axis_len,
             int64_t inner);
void softmax(const double* x, double* y, int64_t outer, int64_t axis_len,
             int64_t inner);

// y = x - max - log(sum(exp(x - max))) along the axis. y may alias x.
void log_softmax(const float* x, float* y, int64_t outer, int64_t axis_len,
                 int64_t inner);
void log_softmax(const double* x, double* y, int64_t outer, int64_t axis_len,
                 int64_t inner);

// y = 1 at the first maximum along the axis, 0 elsewhere. y must not alias x.
void hardmax(const float* x, float* y, int64_t outer, int64_t axis_len,
             int64_t inner);
void hardmax(const double* x, double* y, int64_t outer, int64_t axis_len,
             int64_t inner);

}  // namespace odla_ref
