// float16 operands of ops that compute in float32 (reference builders), and the
// constants odla_Cast converted at build time.
#pragma once

#include <functional>
#include <vector>

#include "builder.h"

namespace odla_rt {

// Serves float16 operands for ops that compute in float32: each float16 operand
// is cast to float32, `build` makes the op on the casts (with a made-up id), and
// its float32 result is cast back to float16 under `id`. NULL operands (optional
// ones left out) and other element types pass unchanged.
using WideBuild = std::function<odla_value(const std::vector<odla_value>&, odla_value_id)>;
odla_value via_float32(std::vector<odla_value> operands, const odla_value_id id,
                       const WideBuild& build);
// Whether `v` (an operand, checked) holds float16 elements.
bool is_half(odla_value v, const char* what);

// odla_Cast of a constant converts it once, at build time, into a new constant
// (float16/bfloat16 weights read as float32 cost nothing per call). For such a
// converted constant `v`, the constant it was converted from (e.g. the bfloat16
// weights a runtime with bf16 kernels can use directly); else NULL.
odla_value cast_source(const _odla_computation& comp, const _odla_value* v);

}  // namespace odla_rt
