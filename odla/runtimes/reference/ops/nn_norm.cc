// Normalizations (batch, instance, layer, LRN; float32) and the softmax family
// (float32, float64, float16), on top of kernels/norm.h and kernels/softmax.h.
#include <algorithm>
#include <memory>

#include "builder.h"
#include "float16.h"
#include "kernels/norm.h"
#include "kernels/softmax.h"

namespace odla_rt {
namespace {

odla_value float_input(odla_value v, int min_rank) {
  odla_value x = operand(v, "input");
  if (x->type.dtype != ODLA_FLOAT32) fail("input must be float32, got " + type_str(x->type));
  if (x->type.rank() < min_rank)
    fail("input needs rank >= " + std::to_string(min_rank) + ", got " + type_str(x->type));
  return x;
}

// Checks an optional float32 operand holding `count` numbers.
odla_value vector_operand(odla_value v, int64_t count, const char* what, bool optional) {
  odla_value p = optional ? optional_operand(v, what) : operand(v, what);
  if (p != nullptr && (p->type.dtype != ODLA_FLOAT32 || p->type.numel() != count))
    fail(std::string(what) + " must be float32 with " + std::to_string(count) +
         " elements, got " + type_str(p->type));
  return p;
}

// Per-channel parameters for the kernels: either the operand at input
// position `slot` or, when the operand is NULL, a filled node-owned array.
struct ChannelParam {
  int slot = -1;
  std::shared_ptr<std::vector<float>> fill;
  const float* get(const KernelIO& io) const {
    return slot >= 0 ? io.input<float>(slot) : (fill ? fill->data() : nullptr);
  }
};

ChannelParam channel_param(odla_value v, float scalar, float neutral, int64_t count,
                           std::vector<odla_value>& inputs) {
  ChannelParam p;
  if (v != nullptr) {
    p.slot = static_cast<int>(inputs.size());
    inputs.push_back(v);
  } else if (scalar != neutral) {
    p.fill = std::make_shared<std::vector<float>>(count, scalar);
  }
  return p;
}

odla_value build_batch_norm(odla_value input, odla_memory_layout layout, odla_value mean,
                            odla_value var, float eps, odla_value scale, odla_value offset,
                            float scalar_scale, float scalar_offset, const odla_value_id id) {
  odla_value x = float_input(input, 2);
  if (layout != ODLA_CHANNELS_FIRST) fail("only ODLA_CHANNELS_FIRST is supported");
  const AxisSplit s = split_at_axis(x->type.dims, 1);
  std::vector<odla_value> inputs{x, vector_operand(mean, s.axis_len, "mean", false),
                                 vector_operand(var, s.axis_len, "var", false)};
  const ChannelParam sc = channel_param(vector_operand(scale, s.axis_len, "scale", true),
                                        scalar_scale, 1.f, s.axis_len, inputs);
  const ChannelParam of = channel_param(vector_operand(offset, s.axis_len, "offset", true),
                                        scalar_offset, 0.f, s.axis_len, inputs);
  Kernel k = [s, sc, of, eps](const KernelIO& io) {
    odla_ref::batch_norm(io.input<float>(0), io.output<float>(0), s.outer, s.axis_len, s.inner,
                         io.input<float>(1), io.input<float>(2), sc.get(io), of.get(io), eps);
  };
  NodeOptions options;
  options.inplace_input = 0;
  return add_node("odla_BatchNormalization", std::move(inputs), x->type, id, std::move(k),
                  options);
}

odla_value build_instance_norm(odla_value input, odla_memory_layout layout, float eps,
                               odla_value scale, odla_value offset, float scalar_scale,
                               float scalar_offset, const odla_value_id id) {
  odla_value x = float_input(input, 2);
  if (layout != ODLA_CHANNELS_FIRST) fail("only ODLA_CHANNELS_FIRST is supported");
  const AxisSplit s = split_at_axis(x->type.dims, 1);
  std::vector<odla_value> inputs{x};
  const ChannelParam sc = channel_param(vector_operand(scale, s.axis_len, "scale", true),
                                        scalar_scale, 1.f, s.axis_len, inputs);
  const ChannelParam of = channel_param(vector_operand(offset, s.axis_len, "offset", true),
                                        scalar_offset, 0.f, s.axis_len, inputs);
  Kernel k = [s, sc, of, eps](const KernelIO& io) {
    odla_ref::instance_norm(io.input<float>(0), io.output<float>(0), s.outer, s.axis_len,
                            s.inner, sc.get(io), of.get(io), eps);
  };
  return add_node("odla_InstanceNormalization", std::move(inputs), x->type, id, std::move(k));
}

odla_value build_layer_norm(odla_value input, int axis, float eps, odla_value scale,
                            odla_value offset, const odla_value_id id) {
  odla_value x = float_input(input, 1);
  const int a = normalize_axis(axis, x->type.rank(), "axis");
  const int64_t inner = num_elements(Dims(x->type.dims.begin() + a, x->type.dims.end()));
  const int64_t outer = x->type.numel() / std::max<int64_t>(inner, 1);
  std::vector<odla_value> inputs{x};
  const ChannelParam sc =
      channel_param(vector_operand(scale, inner, "scale", true), 1.f, 1.f, inner, inputs);
  const ChannelParam of =
      channel_param(vector_operand(offset, inner, "offset", true), 0.f, 0.f, inner, inputs);
  Kernel k = [outer, inner, sc, of, eps](const KernelIO& io) {
    odla_ref::layer_norm(io.input<float>(0), io.output<float>(0), outer, inner, sc.get(io),
                         of.get(io), eps);
  };
  return add_node("odla_LayerNormalization", std::move(inputs), x->type, id, std::move(k));
}

odla_value build_lrn(odla_value input, odla_memory_layout layout, int size, float alpha,
                     float beta, float bias, const odla_value_id id) {
  odla_value x = float_input(input, 2);
  if (layout != ODLA_CHANNELS_FIRST) fail("only ODLA_CHANNELS_FIRST is supported");
  if (size < 1) fail("window_size must be >= 1");
  const AxisSplit s = split_at_axis(x->type.dims, 1);
  Kernel k = [s, size, alpha, beta, bias](const KernelIO& io) {
    odla_ref::lrn(io.input<float>(0), io.output<float>(0), s.outer, s.axis_len, s.inner, size,
                  alpha, beta, bias);
  };
  return add_node("odla_LRN", {x}, x->type, id, std::move(k));
}

enum class SoftmaxKind { kSoftmax, kLogSoftmax, kHardmax };

template <class T>
void softmax_kernel(SoftmaxKind kind, const AxisSplit& s, const T* src, T* dst) {
  if (kind == SoftmaxKind::kSoftmax)
    odla_ref::softmax(src, dst, s.outer, s.axis_len, s.inner);
  else if (kind == SoftmaxKind::kLogSoftmax)
    odla_ref::log_softmax(src, dst, s.outer, s.axis_len, s.inner);
  else
    odla_ref::hardmax(src, dst, s.outer, s.axis_len, s.inner);
}

// float32 and float64 natively, float16 through float32.
odla_value build_softmax(const char* name, SoftmaxKind kind, odla_value input, int axis,
                         const odla_value_id id) {
  if (is_half(input, "input"))
    return via_float32({input}, id, [&](const std::vector<odla_value>& v, odla_value_id i) {
      return build_softmax(name, kind, v[0], axis, i);
    });
  odla_value x = operand(input, "input");
  const odla_element_type dt = x->type.dtype;
  if (dt != ODLA_FLOAT32 && dt != ODLA_FLOAT64)
    fail("input must be float32, float64 or float16, got " + type_str(x->type));
  if (x->type.rank() < 1) fail("input needs rank >= 1, got " + type_str(x->type));
  const AxisSplit s = split_at_axis(x->type.dims, normalize_axis(axis, x->type.rank(), "axis"));
  Kernel k = [s, kind, dt](const KernelIO& io) {
    if (dt == ODLA_FLOAT64)
      softmax_kernel(kind, s, io.input<double>(0), io.output<double>(0));
    else
      softmax_kernel(kind, s, io.input<float>(0), io.output<float>(0));
  };
  NodeOptions options;
  options.inplace_input = kind == SoftmaxKind::kHardmax ? -1 : 0;
  options.params = s;  // the axis split, for runtimes' kernel tables
  return add_node(name, {x}, x->type, id, std::move(k), options);
}

}  // namespace
}  // namespace odla_rt

using odla_rt::guard_build;
using odla_rt::SoftmaxKind;

extern "C" {

odla_value odla_BatchNormalization(odla_value input, odla_memory_layout input_layout,
                                   odla_value mean, odla_value var, odla_float32 epsilon,
                                   odla_value scale, odla_value offset, odla_float32 scalar_scale,
                                   odla_float32 scalar_offset, const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_batch_norm(input, input_layout, mean, var, epsilon, scale, offset,
                                     scalar_scale, scalar_offset, id);
  });
}

odla_value odla_InstanceNormalization(odla_value input, odla_memory_layout input_layout,
                                      odla_float32 epsilon, odla_value scale, odla_value offset,
                                      odla_float32 scalar_scale, odla_float32 scalar_offset,
                                      const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_instance_norm(input, input_layout, epsilon, scale, offset,
                                        scalar_scale, scalar_offset, id);
  });
}

odla_value odla_LayerNormalization(odla_value input, odla_int32 axis, odla_float32 epsilon,
                                   odla_value scale, odla_value offset, const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_layer_norm(input, axis, epsilon, scale, offset, id);
  });
}

odla_value odla_LRN(odla_value input, odla_memory_layout input_layout, odla_int32 window_size,
                    odla_float32 alpha, odla_float32 beta, odla_float32 bias,
                    const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_lrn(input, input_layout, window_size, alpha, beta, bias, id);
  });
}

odla_value odla_Softmax(odla_value input, odla_int32 axis, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    return odla_rt::build_softmax(fn, SoftmaxKind::kSoftmax, input, axis, id);
  });
}

odla_value odla_LogSoftmax(odla_value input, odla_int32 axis, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    return odla_rt::build_softmax(fn, SoftmaxKind::kLogSoftmax, input, axis, id);
  });
}

odla_value odla_Hardmax(odla_value input, odla_int32 axis, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    return odla_rt::build_softmax(fn, SoftmaxKind::kHardmax, input, axis, id);
  });
}

}  // extern "C"
