// The nodes a oneDNN region takes, each as one primitive created here, at plan time:
// Conv (convolution, layouts chosen by oneDNN, weights reordered once), MaxPool /
// AveragePool (pooling_v2; also ReduceMean / ReduceMax over all spatial axes), Relu / Clamp / Sigmoid / Tanh / HardSwish (eltwise),
// Add / Sub / Mul (binary), Concat (concat) and Gemm (matmul). Conv and Gemm absorb
// the element-wise nodes after them and one residual Add as post-ops; pooling,
// eltwise and binary absorb element-wise ones.
#include <any>
#include <string>
#include <utility>

#include "kernels/conv.h"
#include "kernels/pool.h"
#include "op_params.h"
#include "region.h"

namespace odla_dnnl {
namespace {

using dnnl::memory;
using dnnl::prop_kind;

bool is_f32(const _odla_value* v) {
  return v->type.dtype == ODLA_FLOAT32 && v->type.numel() > 0;
}

dnnl::primitive_attr attr_with(const dnnl::post_ops& ops) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  attr.set_post_ops(ops);
  return attr;
}

// Makes the primitive descriptor with the chain's post-ops; when oneDNN has no
// implementation for them, without (the absorbed nodes then run on their own).
template <class PD, class Make>
PD with_chain(Builder& b, int i, bool allow_sum, Chain& ch, Make make) {
  ch = b.chain(i, allow_sum);
  if (!ch.absorbed.empty()) {
    try {
      return make(attr_with(ch.ops));
    } catch (const dnnl::error&) {
    }
  }
  ch = Chain{};
  ch.result = b.node(i).outputs[0];
  return make(attr_with(dnnl::post_ops()));
}

// The destination of a chain's result: over the residual operand, or fresh.
int destination(Builder& b, int i, const Chain& ch, const md_t& md) {
  return ch.sum != nullptr ? b.sum_destination(i, ch, md) : b.new_output(ch.result, md);
}

// The bf16 form of a primitive (make(dt::bf16)) when oneDNN has a native kernel for it,
// else the float32 one: a reference (ref:any) bf16 kernel would be slower than f32.
template <class Make>
auto bf16_or_f32(Make make) {
  try {
    auto made = make(dt::bf16);
    const std::string impl = made.first.impl_info_str();
    if (impl.rfind("ref", 0) != 0) return made;
  } catch (const dnnl::error&) {
  }
  return make(dt::f32);
}

Dims prepend_ones(const Dims& d, size_t rank) {
  if (d.size() > rank) throw Decline("operand of higher rank than the result");
  Dims out(rank - d.size(), 1);
  out.insert(out.end(), d.begin(), d.end());
  return out;
}

}  // namespace

ConvShape conv_shape(const odla_ref::ConvParams& p) {
  ConvShape c;
  c.src = {p.batch, p.in_channels};
  c.dst = {p.batch, p.out_channels};
  if (p.group == 1)
    c.w = {p.out_channels, p.in_channels};
  else
    c.w = {p.group, p.out_channels / p.group, p.in_channels / p.group};
  for (int k = 0; k < p.spatial; ++k) {
    c.src.push_back(p.in_dims[k]);
    c.dst.push_back(p.out_dims[k]);
    c.w.push_back(p.kernel[k]);
    c.strides.push_back(p.strides[k]);
    c.dil.push_back(p.dilations[k] - 1);
    c.pl.push_back(p.pads_front[k]);
    const int64_t span = p.dilations[k] * (p.kernel[k] - 1) + 1;
    const int64_t back = (p.out_dims[k] - 1) * p.strides[k] + span - p.in_dims[k] - p.pads_front[k];
    // Negative when the last window ends before the input does (e.g. 1x1 stride 2 on
    // an even extent); oneDNN takes that.
    c.pr.push_back(back);
  }
  return c;
}

namespace {

void build_conv(Builder& b, int i) {
  const Node& n = b.node(i);
  const auto& p = std::any_cast<const odla_ref::ConvParams&>(n.params);
  const ConvShape c = conv_shape(p);
  const Dims &src = c.src, &dst = c.dst, &w = c.w;
  const memory::dims &strides = c.strides, &dil = c.dil, &pl = c.pl, &pr = c.pr;
  const bool has_bias = n.inputs.size() > 2;
  const Dims bias_dims{p.out_channels};
  // bf16 weights: bf16 source and weights, float32 bias, accumulation and result.
  const _odla_value* w16 = b.bf16_weights(n.inputs[1]);
  auto make = [&](dt type) {
    Chain ch;
    auto pd = with_chain<dnnl::convolution_forward::primitive_desc>(
        b, i, true, ch, [&](const dnnl::primitive_attr& attr) {
          const auto d = has_bias
              ? dnnl::convolution_forward::desc(prop_kind::forward_inference,
                                                dnnl::algorithm::convolution_direct,
                                                any_md(src, type), any_md(w, type),
                                                any_md(bias_dims), any_md(dst), strides, dil, pl, pr)
              : dnnl::convolution_forward::desc(prop_kind::forward_inference,
                                                dnnl::algorithm::convolution_direct,
                                                any_md(src, type), any_md(w, type), any_md(dst),
                                                strides, dil, pl, pr);
          return dnnl::convolution_forward::primitive_desc(d, attr, engine());
        });
    return std::make_pair(pd, ch);
  };
  auto [pd, ch] = w16 != nullptr ? bf16_or_f32(make) : make(dt::f32);
  const bool in_bf16 = pd.weights_desc().data_type() == dt::bf16;
  std::vector<std::pair<int, int>> args;
  args.emplace_back(DNNL_ARG_SRC, b.convert(b.value_tensor(n.inputs[0]), pd.src_desc()));
  const int wt = in_bf16 ? b.const_tensor(w16, dt::bf16) : b.value_tensor(n.inputs[1]);
  args.emplace_back(DNNL_ARG_WEIGHTS,
                    b.convert(b.view(wt, plain_md(w, in_bf16 ? dt::bf16 : dt::f32)),
                              pd.weights_desc()));
  if (has_bias)
    args.emplace_back(DNNL_ARG_BIAS, b.convert(b.view(b.value_tensor(n.inputs[2]),
                                                      plain_md(bias_dims)),
                                               pd.bias_desc()));
  const int out = destination(b, i, ch, pd.dst_desc());
  args.emplace_back(DNNL_ARG_DST, out);
  b.push_scratchpad(pd, args);
  b.add_step(dnnl::convolution_forward(pd), std::move(args));
  b.produced(ch.result, out);
  b.commit(ch);
}

// A pooling primitive for node i (input 0 -> output `dst`), post-ops chained after it.
void add_pooling(Builder& b, int i, dnnl::algorithm alg, const Dims& dst,
                 const memory::dims& strides, const memory::dims& kernel,
                 const memory::dims& dil, const memory::dims& pl, const memory::dims& pr) {
  const int src = b.value_tensor(b.node(i).inputs[0]);
  Chain ch;
  auto pd = with_chain<dnnl::pooling_v2_forward::primitive_desc>(
      b, i, false, ch, [&](const dnnl::primitive_attr& attr) {
        dnnl::pooling_v2_forward::desc d(prop_kind::forward_inference, alg, b.md_of(src),
                                         any_md(dst, b.md_of(src).data_type()), strides,
                                         kernel, dil, pl, pr);
        return dnnl::pooling_v2_forward::primitive_desc(d, attr, engine());
      });
  std::vector<std::pair<int, int>> args;
  args.emplace_back(DNNL_ARG_SRC, b.convert(src, pd.src_desc()));
  const Dims& result_dims = ch.result->type.dims;
  const bool kept = result_dims == dst;
  const int out = kept ? b.new_output(ch.result, pd.dst_desc()) : b.new_scratch(pd.dst_desc());
  args.emplace_back(DNNL_ARG_DST, out);
  b.push_scratchpad(pd, args);
  b.add_step(dnnl::pooling_v2_forward(pd), std::move(args));
  const dt type = pd.dst_desc().data_type();
  b.produced(ch.result, kept ? out
                             : b.view(b.convert(out, plain_md(dst, type)),
                                      plain_md(result_dims, type)));
  b.commit(ch);
}

void build_pool(Builder& b, int i) {
  const Node& n = b.node(i);
  const auto& p = std::any_cast<const odla_ref::PoolParams&>(n.params);
  const bool is_max = n.op == "odla_MaxPool";
  Dims dst{p.batch, p.channels};
  memory::dims strides, kernel, dil, pl, pr;
  for (int k = 0; k < p.spatial; ++k) {
    dst.push_back(p.out_dims[k]);
    strides.push_back(p.strides[k]);
    kernel.push_back(p.window[k]);
    dil.push_back(p.dilations[k] - 1);
    pl.push_back(p.pads_front[k]);
    const int64_t span = p.dilations[k] * (p.window[k] - 1) + 1;
    const int64_t back = (p.out_dims[k] - 1) * p.strides[k] + span - p.in_dims[k] - p.pads_front[k];
    // Windows past in + pads_back (ceil mode) are fine for max and for averages over
    // the taps inside the input; averages counting padding count only pads_back.
    if (back < 0 || (!is_max && p.count_include_pad && back > p.pads_back[k]))
      throw Decline("pooling window past the padding");
    pr.push_back(back);
  }
  const dnnl::algorithm alg = is_max ? dnnl::algorithm::pooling_max
                              : p.count_include_pad ? dnnl::algorithm::pooling_avg_include_padding
                                                    : dnnl::algorithm::pooling_avg_exclude_padding;
  add_pooling(b, i, alg, dst, strides, kernel, dil, pl, pr);
}

// ReduceMean / ReduceMax over every spatial axis with kept dims (global pooling).
// ReduceMean / ReduceMax over every spatial axis, dims kept or not ([N, C]).
bool global_reduce(const Node& n) {
  if (n.op != "odla_ReduceMean" && n.op != "odla_ReduceMax") return false;
  const Dims& in = n.inputs[0]->type.dims;
  const Dims& out = n.outputs[0]->type.dims;
  if (in.size() < 3 || in.size() > 5 || out.size() < 2 || out[0] != in[0] || out[1] != in[1])
    return false;
  if (out.size() == 2) {  // the reduced axes say which ones went
    if (n.params.type() != typeid(std::vector<bool>)) return false;
    const auto& reduced = std::any_cast<const std::vector<bool>&>(n.params);
    for (size_t k = 0; k < in.size(); ++k)
      if (k >= reduced.size() || reduced[k] != (k >= 2)) return false;
    return true;
  }
  if (out.size() != in.size()) return false;
  for (size_t k = 2; k < out.size(); ++k)
    if (out[k] != 1) return false;
  return true;
}

void build_global_pool(Builder& b, int i) {
  const Node& n = b.node(i);
  const Dims& in = n.inputs[0]->type.dims;
  Dims dst(in.size(), 1);  // kept dims (the result is a view of them when they are not)
  dst[0] = in[0];
  dst[1] = in[1];
  memory::dims kernel(in.begin() + 2, in.end()), ones(in.size() - 2, 1), zeros(in.size() - 2, 0);
  const dnnl::algorithm alg = n.op == "odla_ReduceMax"
                                  ? dnnl::algorithm::pooling_max
                                  : dnnl::algorithm::pooling_avg_exclude_padding;
  add_pooling(b, i, alg, dst, ones, kernel, zeros, zeros, zeros);
}

void build_eltwise(Builder& b, int i) {
  const Node& n = b.node(i);
  dnnl::algorithm alg;
  float alpha = 0, beta = 0;
  if (!eltwise_node(n, alg, alpha, beta)) throw Decline("not an eltwise node");
  const int src = b.value_tensor(n.inputs[0]);
  Chain ch;
  auto pd = with_chain<dnnl::eltwise_forward::primitive_desc>(
      b, i, false, ch, [&](const dnnl::primitive_attr& attr) {
        dnnl::eltwise_forward::desc d(prop_kind::forward_inference, alg, b.md_of(src), alpha,
                                      beta);
        return dnnl::eltwise_forward::primitive_desc(d, attr, engine());
      });
  std::vector<std::pair<int, int>> args;
  args.emplace_back(DNNL_ARG_SRC, b.convert(src, pd.src_desc()));
  const int out = b.new_output(ch.result, pd.dst_desc());
  args.emplace_back(DNNL_ARG_DST, out);
  b.push_scratchpad(pd, args);
  b.add_step(dnnl::eltwise_forward(pd), std::move(args));
  b.produced(ch.result, out);
  b.commit(ch);
}

void build_binary(Builder& b, int i) {
  const Node& n = b.node(i);
  const bool commutative = n.op != "odla_Sub";
  const dnnl::algorithm alg = n.op == "odla_Add"   ? dnnl::algorithm::binary_add
                              : n.op == "odla_Sub" ? dnnl::algorithm::binary_sub
                                                   : dnnl::algorithm::binary_mul;
  const Dims& out_dims = n.outputs[0]->type.dims;
  const _odla_value* x = n.inputs[0];
  const _odla_value* y = n.inputs[1];
  if (x->type.dims != out_dims) {
    if (!commutative || y->type.dims != out_dims) throw Decline("first operand is broadcast");
    std::swap(x, y);
  }
  const int src0 = b.value_tensor(x);
  int src1;
  if (y->type.dims == out_dims) {
    src1 = b.convert(b.value_tensor(y), b.md_of(src0));
  } else {
    const Dims ext = prepend_ones(y->type.dims, out_dims.size());
    for (size_t k = 0; k < ext.size(); ++k)
      if (ext[k] != 1 && ext[k] != out_dims[k]) throw Decline("operands do not broadcast");
    src1 = b.view(b.plain_tensor(y), plain_md(ext));
  }
  Chain ch;
  auto pd = with_chain<dnnl::binary::primitive_desc>(
      b, i, false, ch, [&](const dnnl::primitive_attr& attr) {
        dnnl::binary::desc d(alg, b.md_of(src0), b.md_of(src1), any_md(out_dims));
        return dnnl::binary::primitive_desc(d, attr, engine());
      });
  std::vector<std::pair<int, int>> args;
  args.emplace_back(DNNL_ARG_SRC_0, b.convert(src0, pd.src0_desc()));
  args.emplace_back(DNNL_ARG_SRC_1, b.convert(src1, pd.src1_desc()));
  const int out = b.new_output(ch.result, pd.dst_desc());
  args.emplace_back(DNNL_ARG_DST, out);
  b.push_scratchpad(pd, args);
  b.add_step(dnnl::binary(pd), std::move(args));
  b.produced(ch.result, out);
  b.commit(ch);
}

void build_concat(Builder& b, int i) {
  const Node& n = b.node(i);
  const Dims& out_dims = n.outputs[0]->type.dims;
  const Dims& first = n.inputs[0]->type.dims;
  int axis = -1;
  for (size_t k = 0; k < out_dims.size(); ++k)
    if (first.size() == out_dims.size() && first[k] != out_dims[k]) {
      if (axis >= 0) throw Decline("concat axis is ambiguous");
      axis = static_cast<int>(k);
    }
  if (axis < 0) throw Decline("concat axis is ambiguous");
  int64_t total = 0;
  std::vector<md_t> srcs;
  std::vector<int> tensors;
  for (odla_value v : n.inputs) {
    const Dims& d = v->type.dims;
    if (d.size() != out_dims.size()) throw Decline("concat ranks differ");
    for (size_t k = 0; k < d.size(); ++k)
      if (static_cast<int>(k) != axis && d[k] != out_dims[k]) throw Decline("concat dims differ");
    total += d[axis];
    tensors.push_back(b.value_tensor(v));
    srcs.push_back(b.md_of(tensors.back()));
  }
  if (total != out_dims[axis]) throw Decline("concat extents do not add up");
  dnnl::concat::primitive_desc pd(axis, srcs, engine(), attr_with(dnnl::post_ops()));
  std::vector<std::pair<int, int>> args;
  for (size_t k = 0; k < tensors.size(); ++k)
    args.emplace_back(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(k), tensors[k]);
  const int out = b.new_output(n.outputs[0], pd.dst_desc());
  args.emplace_back(DNNL_ARG_DST, out);
  b.push_scratchpad(pd, args);
  b.add_step(dnnl::concat(pd), std::move(args));
  b.produced(n.outputs[0], out);
}

// A dense operand of `stored` dims seen as its matrix op(X): last two dims swapped
// (with their strides) when transposed.
md_t matrix_md(const Dims& stored, bool trans, dt type = dt::f32) {
  memory::dims dims(stored.begin(), stored.end());
  memory::dims strides(dims.size(), 1);
  for (size_t k = dims.size() - 1; k-- > 0;) strides[k] = strides[k + 1] * dims[k + 1];
  if (trans) {
    std::swap(dims[dims.size() - 1], dims[dims.size() - 2]);
    std::swap(strides[strides.size() - 1], strides[strides.size() - 2]);
  }
  return md_t(dims, type, strides);
}

void build_gemm(Builder& b, int i) {
  const Node& n = b.node(i);
  const auto& g = std::any_cast<const odla_rt::GemmParams&>(n.params);
  const Dims& out_dims = n.outputs[0]->type.dims;
  const size_t rank = out_dims.size();
  if (g.has_c && (g.alpha != 1 || g.beta != 1)) throw Decline("Gemm with scaled C");
  const _odla_value* a = n.inputs[0];
  const _odla_value* w = n.inputs[1];
  const bool const_w = w->kind == odla_rt::ValueKind::kConstant;
  // bf16 weights (constant B): bf16 A and B, float32 bias, accumulation and result.
  const _odla_value* w16 = const_w ? b.bf16_weights(w) : nullptr;
  Dims bias_dims;
  if (g.has_c) bias_dims = prepend_ones(n.inputs[2]->type.dims, rank);
  const Dims a_dims = prepend_ones(a->type.dims, rank), w_dims = prepend_ones(w->type.dims, rank);
  auto make = [&](dt type) {
    const md_t a_md = matrix_md(a_dims, g.trans_a, type);
    const md_t w_md = matrix_md(w_dims, g.trans_b, type);
    const md_t w_any(w_md.dims(), type, memory::format_tag::any);
    Chain ch;
    auto pd = with_chain<dnnl::matmul::primitive_desc>(
        b, i, true, ch, [&](dnnl::primitive_attr attr) {
          if (g.alpha != 1) attr.set_output_scales(0, {g.alpha});
          const md_t& wd = const_w ? w_any : w_md;
          const auto d = g.has_c
                             ? dnnl::matmul::desc(a_md, wd, plain_md(bias_dims), plain_md(out_dims))
                             : dnnl::matmul::desc(a_md, wd, plain_md(out_dims));
          return dnnl::matmul::primitive_desc(d, attr, engine());
        });
    return std::make_pair(pd, ch);
  };
  auto [pd, ch] = w16 != nullptr ? bf16_or_f32(make) : make(dt::f32);
  const dt type = pd.src_desc().data_type();
  const md_t a_f32 = matrix_md(a_dims, g.trans_a), w_f32 = matrix_md(w_dims, g.trans_b);
  std::vector<std::pair<int, int>> args;
  const int at = b.view(b.plain_tensor(a), a_f32);
  args.emplace_back(DNNL_ARG_SRC, type == dt::f32 ? at : b.convert(at, pd.src_desc()));
  const int wt = type == dt::f32 ? b.view(b.plain_tensor(w), w_f32)
                                 : b.view(b.const_tensor(w16, type), matrix_md(w_dims, g.trans_b, type));
  args.emplace_back(DNNL_ARG_WEIGHTS, const_w ? b.convert(wt, pd.weights_desc()) : wt);
  if (g.has_c)
    args.emplace_back(DNNL_ARG_BIAS, b.view(b.plain_tensor(n.inputs[2]), plain_md(bias_dims)));
  const int out = destination(b, i, ch, pd.dst_desc());
  args.emplace_back(DNNL_ARG_DST, out);
  b.push_scratchpad(pd, args);
  b.add_step(dnnl::matmul(pd), std::move(args));
  b.produced(ch.result, out);
  b.commit(ch);
}

// odla_Transpose: the input's strides permuted, a view (the input made plain first when
// its layout is blocked); odla_Reshape: a view of the plain input.
void build_view(Builder& b, int i) {
  const Node& n = b.node(i);
  const _odla_value* x = n.inputs[0];
  const Dims& out_dims = n.outputs[0]->type.dims;
  const dt type = dt_of(x->type.dtype);
  if (n.op == "odla_Reshape") {
    b.produced(n.outputs[0], b.view(b.plain_tensor(x), plain_md(out_dims, type)));
    return;
  }
  const auto& perm = std::any_cast<const Dims&>(n.params);
  int t = b.value_tensor(x);
  md_t md = b.md_of(t);
  try {
    md = retyped(md, type);
  } catch (const Decline&) {
    t = b.plain_tensor(x);
    md = b.md_of(t);
  }
  const auto& in_strides = md.data.format_desc.blocking.strides;  // strided (retyped)
  memory::dims strides(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) strides[k] = in_strides[perm[k]];
  b.produced(n.outputs[0], b.view(t, md_t(to_dnnl(out_dims), type, strides)));
}

}  // namespace

bool moves_data_only(const Node& n) { return n.op == "odla_Transpose" || n.op == "odla_Reshape"; }

bool claimable(const Node& n) {
  if (n.outputs.size() != 1 || n.inputs.empty() || (n.is_view && n.op != "odla_Reshape"))
    return false;
  if (claimable_quant(n)) return true;
  if (moves_data_only(n)) {  // any element type a region holds, rank 1..6
    const odla_element_type t = n.inputs[0]->type.dtype;
    const int rank = n.inputs[0]->type.rank();
    return (t == ODLA_FLOAT32 || (is_q8(t) && exact_int8())) &&
           rank >= 1 && rank <= 6 &&
           n.outputs[0]->type.numel() > 0 &&
           (n.op == "odla_Reshape" || n.params.type() == typeid(Dims));
  }
  const odla_element_type t = n.inputs[0]->type.dtype;
  if (n.op == "odla_MaxPool" && is_q8(t))  // max of the integers
    return exact_int8() && n.outputs[0]->type.dtype == t &&
           n.params.type() == typeid(odla_ref::PoolParams);
  for (odla_value v : n.inputs)
    if (!is_f32(v)) return false;
  if (!is_f32(n.outputs[0])) return false;
  dnnl::algorithm alg;
  float alpha, beta;
  if (n.op == "odla_Conv")
    return n.params.type() == typeid(odla_ref::ConvParams) && n.inputs.size() >= 2 &&
           n.inputs[1]->kind == odla_rt::ValueKind::kConstant &&
           n.inputs[1]->constant_data != nullptr;
  if (n.op == "odla_MaxPool" || n.op == "odla_AveragePool")
    return n.params.type() == typeid(odla_ref::PoolParams);
  if (n.op == "odla_Add" || n.op == "odla_Sub" || n.op == "odla_Mul") return n.inputs.size() == 2;
  if (n.op == "odla_Concat") return n.inputs.size() >= 2;
  if (n.op == "odla_ReduceMean" || n.op == "odla_ReduceMax") return global_reduce(n);
  if (n.op == "odla_Gemm")
    return n.params.type() == typeid(odla_rt::GemmParams) && n.inputs.size() >= 2;
  return eltwise_node(n, alg, alpha, beta);
}

void build_node(Builder& b, int i) {
  const std::string& op = b.node(i).op;
  if (claimable_quant(b.node(i))) return build_quant(b, i);
  if (moves_data_only(b.node(i))) return build_view(b, i);
  if (op == "odla_Conv") return build_conv(b, i);
  if (op == "odla_MaxPool" || op == "odla_AveragePool") return build_pool(b, i);
  if (op == "odla_Add" || op == "odla_Sub" || op == "odla_Mul") return build_binary(b, i);
  if (op == "odla_Concat") return build_concat(b, i);
  if (op == "odla_Gemm") return build_gemm(b, i);
  if (op == "odla_ReduceMean" || op == "odla_ReduceMax") return build_global_pool(b, i);
  return build_eltwise(b, i);
}

}  // namespace odla_dnnl
