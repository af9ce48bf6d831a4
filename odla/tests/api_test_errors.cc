// Invalid requests never crash: builders return NULL with a message, run-phase
// calls return a non-success status. Also checks of the memory planner.
#include <cstdint>
#include <cstring>
#include <string>

#include "api_test_util.h"

namespace api_test {
namespace {

bool message_mentions(const char* text) {
  return std::strstr(odla_GetLastErrorMessage(), text) != nullptr;
}

void test_builder_errors() {
  odla_SetCurrentComputation(nullptr);
  CHECK(arg("x", ODLA_FLOAT32, {2}) == nullptr);
  CHECK(message_mentions("no current computation"));
  Computation c;
  odla_value x = arg("x", ODLA_FLOAT32, {2, 3});
  odla_value xi = arg("xi", ODLA_INT32, {2, 3});
  CHECK(odla_Add(x, nullptr, nullptr) == nullptr);
  CHECK(message_mentions("odla_Add") && message_mentions("NULL"));
  CHECK(odla_Relu(nullptr, nullptr) == nullptr);
  CHECK(odla_Softmax(x, 5, nullptr) == nullptr);
  CHECK(message_mentions("axis"));
  CHECK(odla_Add(x, arg("v", ODLA_FLOAT32, {4}), nullptr) == nullptr);
  CHECK(message_mentions("broadcast"));
  CHECK(odla_Add(x, xi, nullptr) == nullptr);
  CHECK(odla_Exp(xi, nullptr) == nullptr);
  CHECK(odla_Reshape(x, shape({4}), nullptr) == nullptr);
  CHECK(odla_Transpose(x, shape({0, 0}), shape({2, 2}), nullptr) == nullptr);
  const odla_uint32 bad_axis[] = {7};
  CHECK(odla_ReduceSum(x, 1, bad_axis, 0, shape({2}), nullptr) == nullptr);
  const odla_uint32 axis1[] = {1};
  CHECK(odla_ReduceSum(x, 1, axis1, 0, shape({3}), nullptr) == nullptr);  // wrong output_dims
  CHECK(odla_Gemm(x, 0, x, 0, 1, 0, nullptr, shape({2, 3}), nullptr) == nullptr);
  const odla_uint32 one[] = {1, 1}, zero[] = {0, 0};
  CHECK(odla_Conv(arg("img", ODLA_FLOAT32, {1, 1, 3, 3}), ODLA_CHANNELS_FIRST, 1,
                  arg("k", ODLA_FLOAT32, {1, 1, 2, 2}), ODLA_IOS, one, one, zero, zero, nullptr,
                  shape({1, 1, 2, 2}), nullptr) == nullptr);  // wrong kernel layout
  CHECK(odla_Relu(x, ID("x")) == nullptr);                      // duplicate id
  CHECK(message_mentions("already used"));
  CHECK(odla_SetValueAsOutput(nullptr) != ODLA_SUCCESS);
  CHECK(odla_SetValueAsOutputById(ID("nope")) != ODLA_SUCCESS);
  // The computation recorded errors: it refuses to run.
  CHECK(odla_SetValueAsOutput(odla_Relu(x, ID("r"))) == ODLA_SUCCESS);
  std::vector<float> in(6), out(6);
  CHECK(run(c.comp, {{"x", in.data()}, {"xi", in.data()}}, {{"r", out.data()}}) != ODLA_SUCCESS);
  CHECK(message_mentions("build error"));
  {
    Computation other;
    CHECK(odla_Relu(x, nullptr) == nullptr);  // x belongs to another computation
    CHECK(message_mentions("another computation"));
  }
}

void test_run_errors() {
  Computation c;
  odla_value x = arg("x", ODLA_FLOAT32, {3});
  odla_value idx = arg("idx", ODLA_INT32, {1});
  odla_value g = odla_Gather(x, idx, 0, shape({1}), ID("g"));
  CHECK(odla_SetValueAsOutput(g) == ODLA_SUCCESS);
  const std::vector<float> xin{1, 2, 3};
  const std::vector<int32_t> good{2}, bad{3};
  std::vector<float> out(1);
  CHECK(run(c.comp, {{"x", xin.data()}}, {{"g", out.data()}}) != ODLA_SUCCESS);  // unbound idx
  CHECK(message_mentions("'idx' is not bound"));
  CHECK(run(c.comp, {{"x", xin.data()}, {"idx", good.data()}, {"zz", good.data()}},
            {{"g", out.data()}}) != ODLA_SUCCESS);  // unknown id
  CHECK(run(c.comp, {{"x", xin.data()}, {"idx", good.data()}}, {}) != ODLA_SUCCESS);
  odla_context ctx = nullptr;
  CHECK(odla_CreateContext(&ctx) == ODLA_SUCCESS);
  CHECK(odla_BindToArgumentById(ID("x"), xin.data(), ctx) == ODLA_SUCCESS);
  CHECK(odla_BindToArgumentById(ID("idx"), bad.data(), ctx) == ODLA_SUCCESS);
  CHECK(odla_BindToOutputById(ID("g"), out.data(), ctx) == ODLA_SUCCESS);
  CHECK(odla_ExecuteComputation(c.comp, ctx, ODLA_COMPUTE_INFERENCE, nullptr) != ODLA_SUCCESS);
  CHECK(message_mentions("out of range"));
  CHECK(odla_BindToArgument(idx, good.data(), ctx) == ODLA_SUCCESS);  // the context is reusable
  CHECK(odla_ExecuteComputation(c.comp, ctx, ODLA_COMPUTE_DEFAULT, nullptr) == ODLA_SUCCESS);
  CHECK(out[0] == 3);
  CHECK(odla_ExecuteComputation(c.comp, nullptr, ODLA_COMPUTE_DEFAULT, nullptr) != ODLA_SUCCESS);
  CHECK(odla_ExecuteComputation(nullptr, ctx, ODLA_COMPUTE_DEFAULT, nullptr) != ODLA_SUCCESS);
  CHECK(odla_BindToArgumentById(nullptr, xin.data(), ctx) != ODLA_SUCCESS);
  CHECK(odla_BindToOutputById(ID("g"), out.data(), nullptr) != ODLA_SUCCESS);
  CHECK(odla_CreateContext(nullptr) != ODLA_SUCCESS);
  CHECK(odla_DestroyContext(ctx) == ODLA_SUCCESS);
  CHECK(odla_GetComputationStats(nullptr, nullptr, nullptr) != ODLA_SUCCESS);
}

void test_out_of_memory() {
  if (sizeof(size_t) < 8) return;  // 32-bit targets cannot describe the tensor
  Computation c;
  const int64_t huge = int64_t{1} << 48;  // 1 PiB of float32 intermediates
  odla_value x = arg("x", ODLA_FLOAT32, {huge});
  odla_value e = odla_Exp(x, nullptr);  // lives in the arena: transpose cannot run in place
  CHECK(odla_SetValueAsOutput(odla_Transpose(e, shape({0}), shape({huge}), ID("y"))) ==
        ODLA_SUCCESS);
  float buf[1] = {0};
  CHECK(run(c.comp, {{"x", buf}}, {{"y", buf}}) == ODLA_MEM_ERROR);
}

void test_planner() {
  {  // An elementwise chain runs in place in the output buffer: no arena.
    Computation c;
    odla_value x = arg("x", ODLA_FLOAT32, {1024});
    odla_value y = odla_Neg(odla_Exp(odla_Neg(odla_Exp(x, nullptr), nullptr), nullptr), ID("y"));
    CHECK(odla_SetValueAsOutput(y) == ODLA_SUCCESS);
    odla_uint64 arena = 1, nodes = 0;
    CHECK(odla_GetComputationStats(c.comp, &arena, &nodes) == ODLA_SUCCESS);
    CHECK(arena == 0 && nodes == 4);
    std::vector<float> in(1024, 0.f), out(1024);
    CHECK(run(c.comp, {{"x", in.data()}}, {{"y", out.data()}}) == ODLA_SUCCESS);
    CHECK(std::fabs(out[5] + std::exp(-1.f)) < 1e-6f);
  }
  {  // Four transposes: two intermediates alive at once, the third reuses.
    Computation c;
    odla_value v = arg("x", ODLA_FLOAT32, {32, 32});
    for (int i = 0; i < 4; ++i)
      v = odla_Transpose(v, shape({1, 0}), shape({32, 32}), i == 3 ? ID("y") : nullptr);
    odla_Relu(v, nullptr);  // dead: never runs
    CHECK(odla_SetValueAsOutput(v) == ODLA_SUCCESS);
    odla_uint64 arena = 0, nodes = 0;
    CHECK(odla_CompileComputation(c.comp, nullptr, nullptr) == ODLA_SUCCESS);
    CHECK(odla_GetComputationStats(c.comp, &arena, &nodes) == ODLA_SUCCESS);
    CHECK(arena == 2 * 32 * 32 * sizeof(float) && nodes == 4);
    std::vector<float> in(1024), out(1024);
    for (int i = 0; i < 1024; ++i) in[i] = static_cast<float>(i);
    CHECK(run(c.comp, {{"x", in.data()}}, {{"y", out.data()}}) == ODLA_SUCCESS);
    check_near(out, in, 0, "four transposes");
  }
  {  // Outputs that are an argument, a view of it, or read again later.
    Computation c;
    odla_value x = arg("x", ODLA_INT64, {2, 3});
    odla_value r = odla_Reshape(x, shape({3, 2}), ID("r"));
    odla_value n = odla_Neg(x, ID("n"));
    odla_value m = odla_Mul(n, n, ID("m"));
    CHECK(odla_SetValuesAsOutput(values({x, r, n, m})) == ODLA_SUCCESS);
    odla_uint32 num = 0;
    CHECK(odla_GetNumOfOutputsFromComputation(c.comp, &num) == ODLA_SUCCESS && num == 4);
    const std::vector<int64_t> in{1, 2, 3, 4, 5, 6};
    std::vector<int64_t> ox(6), orr(6), on(6), om(6);
    CHECK(run(c.comp, {{"x", in.data()}},
              {{"x", ox.data()}, {"r", orr.data()}, {"n", on.data()}, {"m", om.data()}}) ==
          ODLA_SUCCESS);
    check_near(ox, in, 0, "argument as output");
    check_near(orr, in, 0, "reshaped argument as output");
    check_near(on, {-1, -2, -3, -4, -5, -6}, 0, "output read by a later node");
    check_near(om, {1, 4, 9, 16, 25, 36}, 0, "square");
  }
}

}  // namespace

void error_tests() {
  test_builder_errors();
  test_run_errors();
  test_out_of_memory();
  test_planner();
}

}  // namespace api_test
