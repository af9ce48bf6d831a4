// Activation functions (float32, float64, float16), elementwise.
#include <cmath>

#include "elementwise.h"
#include "op_params.h"

namespace odla_rt {
namespace {

struct Activation {
  static constexpr bool kBoolResult = false;
  template <class T>
  static constexpr bool supports = kIsFloat<T>;
};

struct ReluOp : Activation {
  template <class C> C operator()(C x) const { return x > 0 ? x : C(0); }
};
std::optional<odla_ref::detail::Activation> clamp_of(const ReluOp&) {
  return odla_ref::detail::Activation{0.f, odla_ref::detail::Activation::kInf, true};  // NaN -> 0, as above
}
struct SigmoidOp : Activation {
  template <class C> C operator()(C x) const { return C(1) / (C(1) + std::exp(-x)); }
};
struct LeakyReluOp : Activation {
  float alpha = 0.01f;
  template <class C> C operator()(C x) const { return x < 0 ? C(alpha) * x : x; }
};
struct EluOp : Activation {
  float alpha = 1.f;
  template <class C> C operator()(C x) const { return x < 0 ? C(alpha) * std::expm1(x) : x; }
};
struct SeluOp : Activation {
  float alpha = 1.67326f, gamma = 1.0507f;
  template <class C> C operator()(C x) const {
    return C(gamma) * (x <= 0 ? C(alpha) * std::expm1(x) : x);
  }
};
struct CeluOp : Activation {
  float alpha = 1.f;
  template <class C> C operator()(C x) const {
    return x > 0 ? x : C(alpha) * std::expm1(x / C(alpha));
  }
};
struct HardSigmoidOp : Activation {
  float alpha = 0.2f, beta = 0.5f;
  template <class C> C operator()(C x) const {
    const C v = C(alpha) * x + C(beta);
    return v < 0 ? C(0) : (v > 1 ? C(1) : v);
  }
};
struct HardSwishOp : Activation {
  template <class C> C operator()(C x) const {
    const C v = x / C(6) + C(0.5);
    return x * (v < 0 ? C(0) : (v > 1 ? C(1) : v));
  }
};
// log(1 + exp(x)) without overflow for large x.
struct SoftplusOp : Activation {
  template <class C> C operator()(C x) const {
    return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
};
struct SoftsignOp : Activation {
  template <class C> C operator()(C x) const { return x / (C(1) + std::fabs(x)); }
};
struct ThresholdedReluOp : Activation {
  float alpha = 1.f;
  template <class C> C operator()(C x) const { return x > C(alpha) ? x : C(0); }
};
struct GeluOp : Activation {
  bool approximate = false;
  template <class C> C operator()(C x) const {
    if (approximate) {
      const C k = C(0.7978845608028654);  // sqrt(2 / pi)
      return C(0.5) * x * (C(1) + std::tanh(k * (x + C(0.044715) * x * x * x)));
    }
    return C(0.5) * x * (C(1) + std::erf(x * C(0.7071067811865476)));
  }
};
struct MishOp : Activation {
  template <class C> C operator()(C x) const {
    return x * std::tanh(SoftplusOp()(x));
  }
};
struct PReluOp : Activation {
  template <class C> C operator()(C x, C slope) const { return x < 0 ? slope * x : x; }
};

// Records `p` on the node that just produced `y` (for runtimes' kernel tables).
odla_value with_params(odla_value y, const ActivationParams& p) {
  _odla_computation& c = current();
  if (y != nullptr && !c.nodes.empty() && c.nodes.back().outputs.size() == 1 &&
      c.nodes.back().outputs[0] == y)
    c.nodes.back().params = p;
  return y;
}

}  // namespace
}  // namespace odla_rt

using odla_rt::build_unary;
using odla_rt::guard_build;

extern "C" {

odla_value odla_Relu(odla_value input, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_unary<odla_rt::ReluOp>(fn, input, id); });
}
odla_value odla_Sigmoid(odla_value input, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_unary<odla_rt::SigmoidOp>(fn, input, id); });
}
odla_value odla_HardSwish(odla_value input, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_unary<odla_rt::HardSwishOp>(fn, input, id); });
}
odla_value odla_Softplus(odla_value input, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_unary<odla_rt::SoftplusOp>(fn, input, id); });
}
odla_value odla_Softsign(odla_value input, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_unary<odla_rt::SoftsignOp>(fn, input, id); });
}
odla_value odla_Mish(odla_value input, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] { return build_unary<odla_rt::MishOp>(fn, input, id); });
}
odla_value odla_LeakyRelu(odla_value input, odla_float32 alpha, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    odla_rt::LeakyReluOp op;
    op.alpha = alpha;
    return odla_rt::with_params(build_unary(fn, input, id, op), {alpha, 0});
  });
}
odla_value odla_Elu(odla_value input, odla_float32 alpha, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    odla_rt::EluOp op;
    op.alpha = alpha;
    return odla_rt::with_params(build_unary(fn, input, id, op), {alpha, 0});
  });
}
odla_value odla_Selu(odla_value input, odla_float32 alpha, odla_float32 gamma,
                     const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    odla_rt::SeluOp op;
    op.alpha = alpha;
    op.gamma = gamma;
    return build_unary(fn, input, id, op);
  });
}
odla_value odla_Celu(odla_value input, odla_float32 alpha, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    if (alpha == 0) odla_rt::fail("alpha must not be 0");
    odla_rt::CeluOp op;
    op.alpha = alpha;
    return build_unary(fn, input, id, op);
  });
}
odla_value odla_HardSigmoid(odla_value input, odla_float32 alpha, odla_float32 beta,
                            const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    odla_rt::HardSigmoidOp op;
    op.alpha = alpha;
    op.beta = beta;
    return build_unary(fn, input, id, op);
  });
}
odla_value odla_ThresholdedRelu(odla_value input, odla_float32 alpha, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    odla_rt::ThresholdedReluOp op;
    op.alpha = alpha;
    return build_unary(fn, input, id, op);
  });
}
odla_value odla_Gelu(odla_value input, odla_bool use_approx, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    odla_rt::GeluOp op;
    op.approximate = use_approx != 0;
    return build_unary(fn, input, id, op);
  });
}
odla_value odla_PRelu(odla_value input, odla_value slope, const odla_value_id id) {
  return guard_build(__func__, [&, fn = __func__] {
    odla_value x = odla_rt::operand(input, "input");
    odla_value s = odla_rt::operand(slope, "slope");
    if (odla_rt::broadcast_dims(x->type.dims, s->type.dims) != x->type.dims)
      odla_rt::fail("slope " + odla_rt::type_str(s->type) + " does not broadcast to input " +
                    odla_rt::type_str(x->type));
    return odla_rt::build_binary<odla_rt::PReluOp>(fn, x, s, id);
  });
}

}  // extern "C"
