// odla_Gemm: alpha * op(A) * op(B) + beta * C with numpy batch broadcasting of
// the leading dimensions (HALO extension, serves ONNX MatMul).
#include <memory>

#include "broadcast.h"
#include "builder.h"
#include "float16.h"
#include "op_params.h"
#include "kernels/gemm.h"
#include "kernels/parallel.h"

namespace odla_rt {
namespace {

struct GemmGeometry {
  bool trans_a = false, trans_b = false;
  int64_t M = 0, N = 0, K = 0;
  float alpha = 1, beta = 0;
  std::vector<int64_t> a_offsets, b_offsets;  // element offset of each batch
  bool fold_batches = false;  // A's batches stacked into one M * batch matrix
  std::shared_ptr<const BroadcastLoop> c_loop;  // C -> output, when C is given
};

// Element offsets of every output batch into an operand with batch dims `in`.
std::vector<int64_t> batch_offsets(const Dims& out_batch, const Dims& in_batch, int64_t matrix) {
  const int64_t count = num_elements(out_batch);
  std::vector<int64_t> offsets(count, 0);
  BroadcastLoop loop(out_batch, {in_batch});
  loop.for_rows(0, count, [&](int64_t pos, int64_t len, const int64_t* off, const int64_t* st) {
    for (int64_t j = 0; j < len; ++j) offsets[pos + j] = (off[0] + j * st[0]) * matrix;
  });
  return offsets;
}

template <class T>
void fill_with_c(const GemmGeometry& g, const T* c, T* y) {
  const BroadcastLoop& loop = *g.c_loop;
  loop.for_rows(0, loop.size(), [&](int64_t pos, int64_t len, const int64_t* off, const int64_t* st) {
    for (int64_t j = 0; j < len; ++j) {
      const T v = c[off[0] + j * st[0]];
      y[pos + j] = g.beta == 1 ? v : static_cast<T>(g.beta * v);
    }
  });
}

void run_float(const GemmGeometry& g, const float* a, const float* b, const float* c, float* y) {
  float beta = 0;
  if (c != nullptr) {
    fill_with_c(g, c, y);
    beta = 1;
  }
  const int64_t lda = g.trans_a ? g.M : g.K, ldb = g.trans_b ? g.K : g.N;
  if (g.fold_batches) {
    const int64_t rows = g.M * static_cast<int64_t>(g.a_offsets.size());
    odla_ref::sgemm(false, g.trans_b, rows, g.N, g.K, g.alpha, a, lda, b, ldb, beta, y, g.N);
    return;
  }
  for (size_t i = 0; i < g.a_offsets.size(); ++i)
    odla_ref::sgemm(g.trans_a, g.trans_b, g.M, g.N, g.K, g.alpha, a + g.a_offsets[i], lda,
                    b + g.b_offsets[i], ldb, beta, y + i * g.M * g.N, g.N);
}

// Plain loops for float64 and 64/32-bit integers.
template <class T>
void run_simple(const GemmGeometry& g, const T* a, const T* b, const T* c, T* y) {
  if (c != nullptr) fill_with_c(g, c, y);
  const int64_t batches = static_cast<int64_t>(g.a_offsets.size());
  odla_ref::parallel_for(batches * g.M, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t batch = r / g.M, m = r % g.M;
      const T* pa = a + g.a_offsets[batch];
      const T* pb = b + g.b_offsets[batch];
      T* py = y + r * g.N;
      for (int64_t n = 0; n < g.N; ++n) {
        T acc = 0;
        for (int64_t k = 0; k < g.K; ++k) {
          const T va = g.trans_a ? pa[k * g.M + m] : pa[m * g.K + k];
          const T vb = g.trans_b ? pb[n * g.K + k] : pb[k * g.N + n];
          acc += va * vb;
        }
        const T scaled = g.alpha == 1 ? acc : static_cast<T>(g.alpha * acc);
        py[n] = c != nullptr ? static_cast<T>(py[n] + scaled) : scaled;
      }
    }
  }, 16);
}

odla_value build_gemm(odla_value A, bool ta, odla_value B, bool tb, float alpha, float beta,
                      odla_value C, const odla_value_shape& output_dims, const odla_value_id id) {
  if (is_half(A, "A"))  // float16: packed float32 kernel on widened operands
    return via_float32({A, B, C}, id, [&](const std::vector<odla_value>& v, odla_value_id i) {
      return build_gemm(v[0], ta, v[1], tb, alpha, beta, v[2], output_dims, i);
    });
  odla_value a = operand(A, "A");
  odla_value b = operand(B, "B");
  odla_value c = optional_operand(C, "C");
  const odla_element_type dt = a->type.dtype;
  if (b->type.dtype != dt || (c != nullptr && c->type.dtype != dt))
    fail("operands must have one element type");
  if (dt != ODLA_FLOAT32 && dt != ODLA_FLOAT64 && dt != ODLA_INT32 && dt != ODLA_INT64)
    fail(std::string("element type ") + dtype_name(dt) + " is not supported");
  const Dims& da = a->type.dims;
  const Dims& db = b->type.dims;
  if (da.size() < 2 || db.size() < 2) fail("A and B need rank >= 2");
  auto g = std::make_shared<GemmGeometry>();
  g->trans_a = ta;
  g->trans_b = tb;
  g->alpha = alpha;
  g->beta = beta;
  const int64_t ra0 = da[da.size() - 2], ra1 = da.back();
  const int64_t rb0 = db[db.size() - 2], rb1 = db.back();
  g->M = ta ? ra1 : ra0;
  g->K = ta ? ra0 : ra1;
  g->N = tb ? rb0 : rb1;
  if ((tb ? rb1 : rb0) != g->K)
    fail("inner dimensions differ: A " + dims_str(da) + ", B " + dims_str(db));
  const Dims a_batch(da.begin(), da.end() - 2), b_batch(db.begin(), db.end() - 2);
  Dims out = broadcast_dims(a_batch, b_batch);
  g->a_offsets = batch_offsets(out, a_batch, ra0 * ra1);
  g->b_offsets = batch_offsets(out, b_batch, rb0 * rb1);
  g->fold_batches = !ta && num_elements(b_batch) == 1 && a_batch.size() == out.size() &&
                    num_elements(a_batch) == num_elements(out);
  out.push_back(g->M);
  out.push_back(g->N);
  check_output_dims(output_dims, out);
  std::vector<odla_value> inputs{a, b};
  if (c != nullptr && beta != 0) {
    if (broadcast_dims(c->type.dims, out) != out) fail("C does not broadcast to the result");
    g->c_loop = std::make_shared<BroadcastLoop>(out, std::vector<Dims>{c->type.dims});
    inputs.push_back(c);
  }
  const bool has_c = inputs.size() == 3;
  Kernel k = [g, dt, has_c](const KernelIO& io) {
    auto run = [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* cp = has_c ? io.input<T>(2) : nullptr;
      if constexpr (std::is_same_v<T, float>)
        run_float(*g, io.input<T>(0), io.input<T>(1), cp, io.output<T>(0));
      else
        run_simple(*g, io.input<T>(0), io.input<T>(1), cp, io.output<T>(0));
    };
    switch (dt) {
      case ODLA_FLOAT32: return run(Tag<float>{});
      case ODLA_FLOAT64: return run(Tag<double>{});
      case ODLA_INT32: return run(Tag<int32_t>{});
      default: return run(Tag<int64_t>{});
    }
  };
  NodeOptions options;
  options.params = GemmParams{ta, tb, alpha, beta, g->M, g->N, g->K, has_c};
  return add_node("odla_Gemm", std::move(inputs), TensorType{dt, out}, id, std::move(k), options);
}

}  // namespace
}  // namespace odla_rt

extern "C" odla_value odla_Gemm(odla_value A, odla_bool A_transpose, odla_value B,
                                odla_bool B_transpose, odla_float32 alpha, odla_float32 beta,
                                odla_value C, odla_value_shape output_dims,
                                const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_gemm(A, A_transpose != 0, B, B_transpose != 0, alpha, beta, C,
                               output_dims, value_id);
  });
}
