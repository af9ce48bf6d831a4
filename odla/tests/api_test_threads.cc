// Concurrency: per-thread current computations, and one computation executed
// by two threads with two contexts at once.
#include <thread>

#include "api_test_util.h"

namespace api_test {
namespace {

// y = relu(x @ w) + x for x, w [n, n].
void build_mlp(int n, const std::vector<float>& w) {
  odla_value x = odla_CreateArgument(vtype(ODLA_FLOAT32, {n, n}), ID("x"));
  odla_value mm = odla_Gemm(x, 0, constant(w, ODLA_FLOAT32, {n, n}), 0, 1, 0, nullptr,
                            shape({n, n}), nullptr);
  odla_value y = odla_Add(odla_Relu(mm, nullptr), x, ID("y"));
  odla_SetValueAsOutput(y);
}

void test_shared_computation() {
  const int n = 96;
  std::vector<float> w(n * n);
  for (int i = 0; i < n * n; ++i) w[i] = static_cast<float>((i * 37) % 11) / 11.f - 0.4f;
  Computation c;
  build_mlp(n, w);
  auto input = [&](int seed) {
    std::vector<float> x(n * n);
    for (int i = 0; i < n * n; ++i) x[i] = static_cast<float>((i * 13 + seed * 7) % 17) / 17.f - 0.5f;
    return x;
  };
  std::vector<float> want[2];
  for (int t = 0; t < 2; ++t) {
    want[t].resize(n * n);
    const std::vector<float> x = input(t);
    CHECK(run(c.comp, {{"x", x.data()}}, {{"y", want[t].data()}}) == ODLA_SUCCESS);
  }
  int mismatches[2] = {0, 0};
  auto worker = [&](int t) {
    const std::vector<float> x = input(t);
    std::vector<float> y(n * n);
    odla_context ctx = nullptr;
    odla_CreateContext(&ctx);
    odla_BindToArgumentById(ID("x"), x.data(), ctx);
    odla_BindToOutputById(ID("y"), y.data(), ctx);
    for (int iter = 0; iter < 40; ++iter) {
      if (odla_ExecuteComputation(c.comp, ctx, ODLA_COMPUTE_INFERENCE, nullptr) != ODLA_SUCCESS ||
          y != want[t])
        ++mismatches[t];
    }
    odla_DestroyContext(ctx);
  };
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  CHECK(mismatches[0] == 0 && mismatches[1] == 0);
}

void test_per_thread_current() {
  int ok[2] = {0, 0};
  auto worker = [&](int t) {
    odla_computation comp = nullptr;
    odla_CreateComputation(&comp);
    const std::vector<float> kv{t == 0 ? -1.f : 1.f};
    odla_value x = odla_CreateArgument(vtype(ODLA_FLOAT32, {1}), ID("in"));
    odla_value y = x;
    for (int iter = 0; iter < 1001; ++iter)  // interleaves with the other thread's builders
      y = odla_Mul(y, constant(kv, ODLA_FLOAT32, {1}), iter == 1000 ? ID("out") : nullptr);
    odla_SetValueAsOutput(y);
    odla_uint32 args = 0, outs = 0;
    odla_GetNumOfArgsFromComputation(comp, &args);
    odla_GetNumOfOutputsFromComputation(comp, &outs);
    float in = static_cast<float>(t + 1), out = 0;
    ok[t] = args == 1 && outs == 1 && run(comp, {{"in", &in}}, {{"out", &out}}) == ODLA_SUCCESS &&
            out == (t == 0 ? -1.f : 2.f);
    odla_DestroyComputation(comp);
  };
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  CHECK(ok[0] == 1 && ok[1] == 1);
}

}  // namespace

void thread_tests() {
  test_shared_computation();
  test_per_thread_current();
}

}  // namespace api_test
