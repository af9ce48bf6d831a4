// Convolution, transposed convolution and pooling (float32, channels first,
// 1 to 3 spatial dimensions) on top of the kernels in kernels/.
#include <algorithm>

#include <memory>

#include "builder.h"
#include "conv_checks.h"
#include "float16.h"
#include "kernels/conv.h"
#include "kernels/pool.h"

namespace odla_rt {
namespace {

odla_value build_conv(bool transposed, odla_value input, odla_memory_layout input_layout,
                      odla_uint32 group, odla_value kernel, odla_memory_layout kernel_layout,
                      const odla_uint32* strides, const odla_uint32* dilations,
                      const odla_uint32* pads_front, const odla_uint32* pads_back,
                      odla_value bias,
                      const odla_value_shape& output_dims, const odla_value_id id) {
  if (is_half(input, "input"))
    return via_float32({input, kernel, bias}, id,
                       [&](const std::vector<odla_value>& v, odla_value_id i) {
                         return build_conv(transposed, v[0], input_layout, group, v[1],
                                           kernel_layout, strides, dilations, pads_front,
                                           pads_back, v[2], output_dims, i);
                       });
  odla_value x = operand(input, "input");
  odla_value w = operand(kernel, "kernel");
  odla_value b = optional_operand(bias, "bias");
  const int s = spatial_rank(x, input_layout, is_float32, "float32");
  if (kernel_layout != (transposed ? ODLA_IOS : ODLA_OIS))
    fail(transposed ? "kernel layout must be ODLA_IOS" : "kernel layout must be ODLA_OIS");
  if (w->type.dtype != ODLA_FLOAT32 || w->type.rank() != s + 2)
    fail("kernel must be float32 of the input's rank, got " + type_str(w->type));
  const Dims& in = x->type.dims;
  const Dims& k = w->type.dims;
  odla_ref::ConvParams p;
  const Dims out = conv_geometry(transposed, in, k, s, group, strides, dilations, pads_front,
                                 pads_back, output_dims, &p);
  if (b != nullptr && (b->type.dtype != ODLA_FLOAT32 || b->type.numel() != p.out_channels))
    fail("bias must be float32 with " + std::to_string(p.out_channels) + " elements");
  NodeOptions options;
  options.params = p;
  options.scratch_bytes =
      transposed ? odla_ref::deconv_workspace_bytes(p) : odla_ref::conv_workspace_bytes(p);
  const bool has_bias = b != nullptr;
  std::vector<odla_value> inputs{x, w};
  if (has_bias) inputs.push_back(b);
  // Constant weights (the usual case) are packed for the GEMM once, here.
  std::shared_ptr<const odla_ref::ConvWeights> packed;
  if (!transposed && w->kind == ValueKind::kConstant && w->constant_data != nullptr)
    packed = std::make_shared<const odla_ref::ConvWeights>(
        odla_ref::pack_conv_weights(p, static_cast<const float*>(w->constant_data)));
  auto make = [p, transposed, has_bias, packed](const odla_ref::detail::Activation& act) {
    return Kernel([p, transposed, has_bias, packed, act](const KernelIO& io) {
      const float* bias_data = has_bias ? io.input<float>(2) : nullptr;
      if (transposed)
        odla_ref::deconv(p, io.input<float>(0), io.input<float>(1), bias_data,
                         io.output<float>(0), io.scratch);
      else
        odla_ref::conv(p, io.input<float>(0), io.input<float>(1), bias_data,
                       io.output<float>(0), io.scratch, packed.get(), act);
    });
  };
  Kernel kern = make({});
  if (!transposed) options.with_clamp = make;
  return add_node(transposed ? "odla_DeConv" : "odla_Conv", std::move(inputs),
                  TensorType{ODLA_FLOAT32, out}, id, std::move(kern), options);
}

odla_value build_pool(bool is_max, odla_value input, odla_memory_layout layout,
                      const odla_uint32* window, const odla_uint32* strides,
                      const odla_uint32* pads_front, const odla_uint32* pads_back,
                      const odla_uint32* dilations, bool include_pad,
                      const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value x = operand(input, "input");
  const int s = is_max ? spatial_rank(x, layout, is_max_pool_type, "float32, uint8 or int8")
                       : spatial_rank(x, layout, is_float32, "float32");
  if (window == nullptr) fail("window_dims is NULL");
  const Dims& in = x->type.dims;
  odla_ref::PoolParams p;
  p.spatial = s;
  p.batch = in[0];
  p.channels = in[1];
  p.count_include_pad = include_pad;
  const Dims out = checked_out(output_dims, s + 2, p.batch, p.channels);
  for (int i = 0; i < s; ++i) {
    p.in_dims[i] = in[i + 2];
    p.out_dims[i] = out[i + 2];
  }
  read_axes(window, s, 1, 1, p.window, "window_dims");
  read_axes(strides, s, 1, 1, p.strides, "strides");
  read_axes(dilations, s, 1, 1, p.dilations, "dilations");
  read_axes(pads_front, s, 0, 0, p.pads_front, "paddings_front");
  read_axes(pads_back, s, 0, 0, p.pads_back, "paddings_back");
  for (int i = 0; i < s; ++i) {
    const int64_t span = p.dilations[i] * (p.window[i] - 1) + 1;
    const int64_t room = p.in_dims[i] + p.pads_front[i] + p.pads_back[i] - span;
    check_extent(i, p.out_dims[i], floor_div(room, p.strides[i]) + 1,
                 -floor_div(-room, p.strides[i]) + 1);
  }
  const odla_element_type dtype = x->type.dtype;
  Kernel kern = [p, is_max, dtype](const KernelIO& io) {
    if (dtype == ODLA_UINT8)
      odla_ref::max_pool(p, io.input<uint8_t>(0), io.output<uint8_t>(0));
    else if (dtype == ODLA_INT8)
      odla_ref::max_pool(p, io.input<int8_t>(0), io.output<int8_t>(0));
    else if (is_max)
      odla_ref::max_pool(p, io.input<float>(0), io.output<float>(0));
    else
      odla_ref::avg_pool(p, io.input<float>(0), io.output<float>(0));
  };
  NodeOptions options;
  options.params = p;
  return add_node(is_max ? "odla_MaxPool" : "odla_AveragePool", {x}, TensorType{dtype, out}, id,
                  std::move(kern), options);
}

}  // namespace
}  // namespace odla_rt

extern "C" {

odla_value odla_Conv(odla_value input, odla_memory_layout input_layout, odla_uint32 group,
                     odla_value kernel, odla_memory_layout kernel_layout,
                     const odla_uint32* strides, const odla_uint32* dilations,
                     const odla_uint32* paddings_front, const odla_uint32* paddings_back,
                     odla_value bias, odla_value_shape output_dims, const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_conv(false, input, input_layout, group, kernel, kernel_layout, strides,
                               dilations, paddings_front, paddings_back, bias, output_dims, id);
  });
}

odla_value odla_DeConv(odla_value input, odla_memory_layout input_layout, odla_uint32 group,
                       odla_value kernel, odla_memory_layout kernel_layout,
                       const odla_uint32* strides, const odla_uint32* dilations,
                       const odla_uint32* paddings_front, const odla_uint32* paddings_back,
                       odla_value bias, odla_value_shape output_dims, const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_conv(true, input, input_layout, group, kernel, kernel_layout, strides,
                               dilations, paddings_front, paddings_back, bias, output_dims, id);
  });
}

odla_value odla_AveragePool(odla_value input, odla_memory_layout input_layout,
                            const odla_uint32* window_dims, const odla_uint32* strides,
                            const odla_uint32* paddings_front, const odla_uint32* paddings_back,
                            odla_bool padding_included, odla_value_shape output_dims,
                            const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_pool(false, input, input_layout, window_dims, strides, paddings_front,
                               paddings_back, nullptr, padding_included != 0, output_dims, id);
  });
}

odla_value odla_MaxPool(odla_value input, odla_memory_layout input_layout,
                        const odla_uint32* window_dims, const odla_uint32* strides,
                        const odla_uint32* paddings_front, const odla_uint32* paddings_back,
                        const odla_uint32* dilations, odla_value_shape output_dims,
                        const odla_value_id id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_pool(true, input, input_layout, window_dims, strides, paddings_front,
                               paddings_back, dilations, false, output_dims, id);
  });
}

}  // extern "C"
