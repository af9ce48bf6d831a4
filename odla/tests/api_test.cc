// Tests of the ODLA C API on the reference runtime: small graphs built through
// the API, checked against hand-computed results. Other groups live in
// api_test_*.cc. Prints failures; exits non-zero if any check failed.
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "api_test_util.h"

namespace api_test {
namespace {

// conv -> relu -> add, with the conv result also an output that relu reads.
void test_conv_relu_add() {
  Computation c;
  const std::vector<float> w{1, 0, 0, 1}, bias{-1};
  odla_value x = arg("x", ODLA_FLOAT32, {1, 1, 3, 3});
  odla_value y = arg("y", ODLA_FLOAT32, {1, 1, 1, 2});
  const odla_uint32 strides[] = {1, 1}, dil[] = {1, 1}, pads[] = {0, 0};
  odla_value conv = odla_Conv(x, ODLA_CHANNELS_FIRST, 1, constant(w, ODLA_FLOAT32, {1, 1, 2, 2}),
                              ODLA_OIS, strides, dil, pads, pads,
                              constant(bias, ODLA_FLOAT32, {1}), shape({1, 1, 2, 2}), ID("conv"));
  odla_value out = odla_Add(odla_Relu(conv, nullptr), y, ID("out"));
  CHECK(out != nullptr);
  CHECK(odla_SetValueAsOutput(out) == ODLA_SUCCESS);
  CHECK(odla_SetValueAsOutput(conv) == ODLA_SUCCESS);
  const std::vector<float> xin{-4, -3, -2, -1, 0, 1, 2, 3, 4}, yin{10, 20};
  std::vector<float> got(4), got_conv(4);
  CHECK(run(c.comp, {{"x", xin.data()}, {"y", yin.data()}},
            {{"out", got.data()}, {"conv", got_conv.data()}}) == ODLA_SUCCESS);
  check_near(got_conv, {-5, -3, 1, 3}, 1e-6, "conv");
  check_near(got, {10, 20, 11, 23}, 1e-6, "conv+relu+add");
}

void test_matmul_batch_broadcast() {
  Computation c;
  // A [2,2,3] x B [3,2]: batches of A fold into one product.
  const std::vector<float> b{1, 2, 3, 4, 5, 6};
  odla_value a = arg("a", ODLA_FLOAT32, {2, 2, 3});
  odla_value m1 = odla_Gemm(a, 0, constant(b, ODLA_FLOAT32, {3, 2}), 0, 1, 0, nullptr,
                            shape({2, 2, 2}), ID("m1"));
  // op(A) = A^T of a [3,2] constant, broadcast against B [2,3,2].
  const std::vector<float> at{1, 4, 2, 5, 3, 6};
  odla_value bb = arg("bb", ODLA_FLOAT32, {2, 3, 2});
  odla_value m2 = odla_Gemm(constant(at, ODLA_FLOAT32, {3, 2}), 1, bb, 0, 1, 0, nullptr,
                            shape({2, 2, 2}), ID("m2"));
  // 2-D Gemm with transposed B, alpha, beta and a broadcast C.
  const std::vector<float> g_a{1, 2, 3, 4}, g_b{1, 0, 1, 1}, g_c{10, 20};
  odla_value m3 = odla_Gemm(constant(g_a, ODLA_FLOAT32, {2, 2}), 0,
                            constant(g_b, ODLA_FLOAT32, {2, 2}), 1, 2.f, 0.5f,
                            constant(g_c, ODLA_FLOAT32, {2}), shape({2, 2}), ID("m3"));
  const std::vector<int32_t> i_a{2, 3}, i_b{4, 5};
  odla_value m4 = odla_Gemm(constant(i_a, ODLA_INT32, {1, 2}), 0, constant(i_b, ODLA_INT32, {2, 1}),
                            0, 1, 0, nullptr, shape({1, 1}), ID("m4"));
  for (odla_value v : {m1, m2, m3, m4}) CHECK(odla_SetValueAsOutput(v) == ODLA_SUCCESS);
  const std::vector<float> ain{1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0};
  const std::vector<float> bin{1, 2, 3, 4, 5, 6, 1, 0, 0, 1, 0, 0};
  std::vector<float> o1(8), o2(8), o3(4);
  std::vector<int32_t> o4(1);
  CHECK(run(c.comp, {{"a", ain.data()}, {"bb", bin.data()}},
            {{"m1", o1.data()}, {"m2", o2.data()}, {"m3", o3.data()}, {"m4", o4.data()}}) ==
        ODLA_SUCCESS);
  check_near(o1, {22, 28, 49, 64, 1, 2, 3, 4}, 1e-6, "matmul folded batches");
  check_near(o2, {22, 28, 49, 64, 1, 2, 4, 5}, 1e-6, "matmul broadcast A");
  check_near(o3, {7, 16, 11, 24}, 1e-6, "gemm alpha beta C");
  check_near(o4, {23}, 0, "gemm int32");
}

void test_reduce() {
  Computation c;
  odla_value x = arg("x", ODLA_FLOAT32, {2, 3});
  odla_value xi = arg("xi", ODLA_INT32, {2, 3});
  const odla_uint32 ax1[] = {1}, ax01[] = {0, 1}, ax0[] = {0};
  odla_value outs[] = {
      odla_ReduceSum(x, 1, ax1, 1, shape({2, 1}), ID("sum")),
      odla_ReduceMean(x, 2, ax01, 0, shape({}), ID("mean")),
      odla_ReduceMax(x, 1, ax0, 0, shape({3}), ID("max")),
      odla_ReduceLogSumExp(x, 1, ax1, 0, shape({2}), ID("lse")),
      odla_ReduceL2(x, 1, ax1, 0, 0.f, shape({2}), ID("l2")),
      odla_ReduceProd(xi, 1, ax1, 0, shape({2}), ID("prod")),
      odla_ReduceMean(xi, 1, ax1, 0, shape({2}), ID("imean")),
  };
  for (odla_value v : outs) CHECK(odla_SetValueAsOutput(v) == ODLA_SUCCESS);
  const std::vector<float> xin{1, 2, 3, 4, 5, 6};
  const std::vector<int32_t> iin{1, 2, 3, 4, 5, 6};
  std::vector<float> sum(2), mean(1), mx(3), lse(2), l2(2);
  std::vector<int32_t> prod(2), imean(2);
  CHECK(run(c.comp, {{"x", xin.data()}, {"xi", iin.data()}},
            {{"sum", sum.data()}, {"mean", mean.data()}, {"max", mx.data()}, {"lse", lse.data()},
             {"l2", l2.data()}, {"prod", prod.data()}, {"imean", imean.data()}}) == ODLA_SUCCESS);
  check_near(sum, {6, 15}, 1e-6, "ReduceSum");
  check_near(mean, {3.5f}, 1e-6, "ReduceMean");
  check_near(mx, {4, 5, 6}, 0, "ReduceMax");
  check_near(lse, {3.4076059f, 6.4076059f}, 1e-6, "ReduceLogSumExp");
  check_near(l2, {3.7416574f, 8.7749644f}, 1e-6, "ReduceL2");
  check_near(prod, {6, 120}, 0, "ReduceProd int32");
  check_near(imean, {2, 5}, 0, "ReduceMean int32");
}

void test_gather() {
  Computation c;
  odla_value x = arg("x", ODLA_FLOAT32, {3, 2});
  const std::vector<int64_t> rows{2, -3};
  const std::vector<int32_t> cols{1, 0, 0, 1};
  odla_value g0 = odla_Gather(x, constant(rows, ODLA_INT64, {2}), 0, shape({2, 2}), ID("g0"));
  odla_value g1 = odla_Gather(x, constant(cols, ODLA_INT32, {2, 2}), 1, shape({3, 2, 2}), ID("g1"));
  CHECK(odla_SetValuesAsOutput(values({g0, g1})) == ODLA_SUCCESS);
  const std::vector<float> xin{1, 2, 3, 4, 5, 6};
  std::vector<float> o0(4), o1(12);
  CHECK(run(c.comp, {{"x", xin.data()}}, {{"g0", o0.data()}, {"g1", o1.data()}}) == ODLA_SUCCESS);
  check_near(o0, {5, 6, 1, 2}, 0, "Gather axis 0, negative index");
  check_near(o1, {2, 1, 1, 2, 4, 3, 3, 4, 6, 5, 5, 6}, 0, "Gather axis 1, 2-D indices");
}

void test_cast() {
  Computation c;
  odla_value f = arg("f", ODLA_FLOAT32, {5});
  odla_value h = arg("h", ODLA_FLOAT32, {8});
  odla_value d = arg("d", ODLA_FLOAT64, {1});
  odla_value i = arg("i", ODLA_INT32, {3});
  odla_value outs[] = {
      odla_Cast(f, ODLA_INT32, ID("f2i")),     odla_Cast(h, ODLA_FLOAT16, ID("f2h")),
      odla_Cast(d, ODLA_FLOAT16, ID("d2h")),   odla_Cast(i, ODLA_BOOL, ID("i2b")),
      odla_Cast(odla_Cast(h, ODLA_FLOAT16, nullptr), ODLA_FLOAT32, ID("h2f")),
  };
  for (odla_value v : outs) CHECK(odla_SetValueAsOutput(v) == ODLA_SUCCESS);
  const std::vector<float> fin{1.9f, -1.9f, 3e10f, -3e10f, NAN};
  const std::vector<float> hin{1.f, 1.f + 0x1p-11f, 1.f + 3 * 0x1p-11f, 65520.f, 65519.f,
                               -0x1p-24f, 0x1p-25f, 3 * 0x1p-26f};
  const std::vector<double> din{1.0 + 0x1p-11 + 0x1p-40};  // just above a tie
  const std::vector<int32_t> iin{0, 5, -1};
  std::vector<int32_t> f2i(5);
  std::vector<uint16_t> f2h(8), d2h(1);
  std::vector<uint8_t> i2b(3);
  std::vector<float> h2f(8);
  CHECK(run(c.comp, {{"f", fin.data()}, {"h", hin.data()}, {"d", din.data()}, {"i", iin.data()}},
            {{"f2i", f2i.data()}, {"f2h", f2h.data()}, {"d2h", d2h.data()}, {"i2b", i2b.data()},
             {"h2f", h2f.data()}}) == ODLA_SUCCESS);
  check_near(f2i, {1, -1, INT32_MAX, INT32_MIN, 0}, 0, "float -> int32 (truncate, saturate)");
  check_near(f2h, {0x3C00, 0x3C00, 0x3C02, 0x7C00, 0x7BFF, 0x8001, 0x0000, 0x0001}, 0,
             "float -> float16 round to nearest even");
  check_near(d2h, {0x3C01}, 0, "float64 -> float16 rounds once");
  check_near(i2b, {0, 1, 1}, 0, "int32 -> bool");
  check_near(h2f, {1.f, 1.f, 1.f + 0x1p-9f, INFINITY, 65504.f, -0x1p-24f, 0.f, 0x1p-24f}, 0,
             "float16 -> float");
}

void test_transpose() {
  Computation c;
  odla_value x = arg("x", ODLA_FLOAT32, {2, 3});
  odla_value y = arg("y", ODLA_INT16, {2, 3, 4});
  odla_value t0 = odla_Transpose(x, shape({1, 0}), shape({3, 2}), ID("t0"));
  odla_value t1 = odla_Transpose(y, shape({2, 0, 1}), shape({4, 2, 3}), ID("t1"));
  CHECK(odla_SetValuesAsOutput(values({t0, t1})) == ODLA_SUCCESS);
  const std::vector<float> xin{1, 2, 3, 4, 5, 6};
  std::vector<int16_t> yin(24), want(24), got(24);
  for (int k = 0; k < 24; ++k) yin[k] = static_cast<int16_t>(k * 3 - 7);
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 2; ++b)
      for (int cc = 0; cc < 3; ++cc) want[(a * 2 + b) * 3 + cc] = yin[(b * 3 + cc) * 4 + a];
  std::vector<float> o0(6);
  CHECK(run(c.comp, {{"x", xin.data()}, {"y", yin.data()}}, {{"t0", o0.data()}, {"t1", got.data()}}) ==
        ODLA_SUCCESS);
  check_near(o0, {1, 4, 2, 5, 3, 6}, 0, "Transpose 2-D");
  check_near(got, want, 0, "Transpose 3-D int16");
}

}  // namespace

void graph_tests() {
  test_conv_relu_add();
  test_matmul_batch_broadcast();
  test_reduce();
  test_gather();
  test_cast();
  test_transpose();
}

}  // namespace api_test

int main() {
  api_test::graph_tests();
  api_test::op_tests();
  api_test::error_tests();
  api_test::thread_tests();
  api_test::capability_tests();
  std::printf("%s: %d failed check(s)\n", api_test::failures() == 0 ? "PASS" : "FAIL",
              api_test::failures());
  return api_test::failures() == 0 ? 0 : 1;
}
