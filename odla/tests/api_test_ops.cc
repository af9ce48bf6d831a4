// Per-operator checks against hand-computed results.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "api_test_util.h"

namespace api_test {
namespace {

// Builds `out = make(x)` for one argument x, runs it and returns the result.
template <class R, class T, class F>
std::vector<R> eval1(odla_element_type t, std::initializer_list<int64_t> dims,
                     const std::vector<T>& in, size_t out_count, F make) {
  Computation c;
  odla_value x = arg("x", t, dims);
  odla_value out = make(x);
  std::vector<R> got(out_count);
  CHECK(out != nullptr);
  if (out == nullptr) return got;
  odla_value_id id = nullptr;
  odla_GetValueId(out, &id);
  CHECK(odla_SetValueAsOutput(out) == ODLA_SUCCESS);
  CHECK(run(c.comp, {{"x", in.data()}}, {{reinterpret_cast<const char*>(id), got.data()}}) ==
        ODLA_SUCCESS);
  return got;
}

void test_slice_pad_concat() {
  const std::vector<float> v5{0, 1, 2, 3, 4};
  const odla_int32 b1[] = {4}, e1[] = {-1}, s1[] = {-2};
  check_near(eval1<float>(ODLA_FLOAT32, {5}, v5, 3, [&](odla_value x) {
               return odla_Slice(x, b1, e1, s1, shape({3}), nullptr);
             }), {4, 2, 0}, 0, "Slice negative stride");
  std::vector<float> v12(12);
  for (int i = 0; i < 12; ++i) v12[i] = static_cast<float>(i);
  const odla_int32 b2[] = {1, 0}, e2[] = {3, 4}, s2[] = {1, 2};
  check_near(eval1<float>(ODLA_FLOAT32, {3, 4}, v12, 4, [&](odla_value x) {
               return odla_Slice(x, b2, e2, s2, shape({2, 2}), nullptr);
             }), {4, 6, 8, 10}, 0, "Slice 2-D");
  const std::vector<int32_t> v3{1, 2, 3};
  const odla_uint32 front[] = {2}, back[] = {1};
  const std::pair<odla_pad_mode, std::vector<int32_t>> pads[] = {
      {ODLA_PAD_REFLECT, {3, 2, 1, 2, 3, 2}}, {ODLA_PAD_EDGE, {1, 1, 1, 2, 3, 3}},
      {ODLA_PAD_WRAP, {2, 3, 1, 2, 3, 1}},    {ODLA_PAD_CONSTANT, {9, 9, 1, 2, 3, 9}}};
  for (const auto& [mode, want] : pads)
    check_near(eval1<int32_t>(ODLA_INT32, {3}, v3, 6, [&](odla_value x) {
                 return odla_Pad(x, front, back, mode, 9.f, shape({6}), nullptr);
               }), want, 0, "Pad");
  const std::vector<float> c2{3, 4, 5, 6};
  check_near(eval1<float>(ODLA_FLOAT32, {2, 1}, std::vector<float>{1, 2}, 6, [&](odla_value x) {
               return odla_Concat(values({x, constant(c2, ODLA_FLOAT32, {2, 2})}), -1,
                                  shape({2, 3}), nullptr);
             }), {1, 3, 4, 2, 5, 6}, 0, "Concat");
}

void test_broadcast_ops() {
  const std::vector<uint8_t> cond{1, 0};
  const std::vector<float> nine{9};
  check_near(eval1<float>(ODLA_FLOAT32, {2, 2}, std::vector<float>{1, 2, 3, 4}, 4,
                          [&](odla_value x) {
                            return odla_Select(constant(cond, ODLA_BOOL, {2}), x,
                                               constant(nine, ODLA_FLOAT32, {}), shape({2, 2}),
                                               nullptr);
                          }), {1, 9, 3, 9}, 0, "Select");
  const odla_uint32 rep[] = {3};
  check_near(eval1<float>(ODLA_FLOAT32, {2}, std::vector<float>{1, 2}, 6, [&](odla_value x) {
               return odla_Tile(x, rep, shape({6}), nullptr);
             }), {1, 2, 1, 2, 1, 2}, 0, "Tile");
  check_near(eval1<float>(ODLA_FLOAT32, {3, 1}, std::vector<float>{1, 2, 3}, 6, [&](odla_value x) {
               return odla_ExpandDims(x, shape({3, 2}), nullptr);
             }), {1, 1, 2, 2, 3, 3}, 0, "ExpandDims");
  const std::vector<float> slope{0.1f, 0.2f};
  check_near(eval1<float>(ODLA_FLOAT32, {2, 2}, std::vector<float>{-1, 2, -3, 4}, 4,
                          [&](odla_value x) {
                            return odla_PRelu(x, constant(slope, ODLA_FLOAT32, {2}), nullptr);
                          }), {-0.1f, 2, -0.3f, 4}, 1e-6, "PRelu");
}

void test_index_ops() {
  const std::vector<float> onoff{0, 5};
  check_near(eval1<float>(ODLA_INT64, {3}, std::vector<int64_t>{0, 2, -1}, 9, [&](odla_value x) {
               return odla_OneHot(x, 3, constant(onoff, ODLA_FLOAT32, {2}), -1, shape({3, 3}),
                                  nullptr);
             }), {5, 0, 0, 0, 0, 5, 0, 0, 5}, 0, "OneHot");
  const std::vector<int64_t> nd{0, 0, 1, 1}, ge{0, 0, 1, 0};
  check_near(eval1<float>(ODLA_FLOAT32, {2, 2}, std::vector<float>{0, 1, 2, 3}, 2,
                          [&](odla_value x) {
                            return odla_GatherND(x, constant(nd, ODLA_INT64, {2, 2}), 0,
                                                 shape({2}), nullptr);
                          }), {0, 3}, 0, "GatherND");
  check_near(eval1<float>(ODLA_FLOAT32, {2, 2}, std::vector<float>{1, 2, 3, 4}, 4,
                          [&](odla_value x) {
                            return odla_GatherElements(x, constant(ge, ODLA_INT64, {2, 2}), 1,
                                                       shape({2, 2}), nullptr);
                          }), {1, 1, 4, 3}, 0, "GatherElements");
  const std::vector<int64_t> si{1, 3}, dup{1, 1};
  const std::vector<float> su{1.5f, 2.5f}, du{1, 2};
  const std::vector<float> data{1, 2, 3, 4, 5};
  check_near(eval1<float>(ODLA_FLOAT32, {1, 5}, data, 5, [&](odla_value x) {
               return odla_ScatterElements(x, constant(si, ODLA_INT64, {1, 2}),
                                           constant(su, ODLA_FLOAT32, {1, 2}), 1,
                                           ODLA_SCATTER_NONE, shape({1, 5}), nullptr);
             }), {1, 1.5f, 3, 2.5f, 5}, 0, "ScatterElements");
  check_near(eval1<float>(ODLA_FLOAT32, {1, 5}, data, 5, [&](odla_value x) {
               return odla_ScatterElements(x, constant(dup, ODLA_INT64, {1, 2}),
                                           constant(du, ODLA_FLOAT32, {1, 2}), -1,
                                           ODLA_SCATTER_ADD, shape({1, 5}), nullptr);
             }), {1, 5, 3, 4, 5}, 0, "ScatterElements add");
}

void test_scan_ops() {
  const std::vector<int32_t> axis0{0};
  check_near(eval1<float>(ODLA_FLOAT32, {3}, std::vector<float>{1, 2, 3}, 3, [&](odla_value x) {
               return odla_CumSum(x, constant(axis0, ODLA_INT32, {}), 0, 0, nullptr);
             }), {1, 3, 6}, 0, "CumSum");
  check_near(eval1<int64_t>(ODLA_INT64, {3}, std::vector<int64_t>{1, 2, 3}, 3, [&](odla_value x) {
               return odla_CumSum(x, constant(axis0, ODLA_INT32, {}), 1, 1, nullptr);
             }), {5, 3, 0}, 0, "CumSum exclusive reverse");
  const std::vector<float> am{1, 3, 3, 5, 2, 5};
  for (odla_bool last : {0u, 1u}) {
    check_near(eval1<int64_t>(ODLA_FLOAT32, {2, 3}, am, 2, [&](odla_value x) {
                 return odla_ArgMax(x, 1, 0, last, vtype(ODLA_INT64, {}), nullptr);
               }), last ? std::vector<int64_t>{2, 2} : std::vector<int64_t>{1, 0}, 0, "ArgMax");
  }
  Computation c;
  odla_value x = arg("x", ODLA_FLOAT32, {1, 5});
  odla_value_ids ids{};
  ids.size = 2;
  ids.value_ids[0] = ID("vals");
  ids.value_ids[1] = ID("idx");
  odla_values top = odla_TopK(x, 2, 1, 1, 1, vtype(ODLA_FLOAT32, {}), vtype(ODLA_INT32, {}), ids);
  odla_values low = odla_TopK(x, 2, 0, 1, 1, vtype(ODLA_FLOAT32, {}), vtype(ODLA_INT64, {}),
                              odla_value_ids{});
  CHECK(top.size == 2 && low.size == 2);
  if (top.size != 2 || low.size != 2) return;
  CHECK(odla_SetValuesAsOutput(top) == ODLA_SUCCESS);
  CHECK(odla_SetValuesAsOutput(low) == ODLA_SUCCESS);
  odla_value_id low_ids[2];
  odla_GetValueId(low.values[0], &low_ids[0]);
  odla_GetValueId(low.values[1], &low_ids[1]);
  const std::vector<float> xin{1, 3, 2, 3, 0};
  std::vector<float> vals(2), lvals(2);
  std::vector<int32_t> idx(2);
  std::vector<int64_t> lidx(2);
  CHECK(run(c.comp, {{"x", xin.data()}},
            {{"vals", vals.data()}, {"idx", idx.data()},
             {reinterpret_cast<const char*>(low_ids[0]), lvals.data()},
             {reinterpret_cast<const char*>(low_ids[1]), lidx.data()}}) == ODLA_SUCCESS);
  check_near(vals, {3, 3}, 0, "TopK values");
  check_near(idx, {1, 3}, 0, "TopK indices (ties: lower index first)");
  check_near(lvals, {0, 1}, 0, "TopK smallest values");
  check_near(lidx, {4, 0}, 0, "TopK smallest indices");
}

void test_nn_ops() {
  check_near(eval1<float>(ODLA_FLOAT32, {1, 3}, std::vector<float>{1, 2, 3}, 3, [](odla_value x) {
               return odla_Softmax(x, -1, nullptr);
             }), {0.09003057f, 0.24472847f, 0.66524096f}, 1e-5, "Softmax");
  check_near(eval1<double>(ODLA_FLOAT64, {1, 3}, std::vector<double>{1, 2, 3}, 3, [](odla_value x) {
               return odla_Softmax(x, -1, nullptr);
             }), {0.090030573170380462, 0.24472847105479764, 0.66524095577482178}, 1e-14,
             "Softmax float64");
  // float16 (bit patterns): computed in float32, rounded once to nearest even.
  check_near(eval1<uint16_t>(ODLA_FLOAT16, {1, 3}, std::vector<uint16_t>{0x3c00, 0x4000, 0x4200},
                             3, [](odla_value x) { return odla_Softmax(x, -1, nullptr); }),
             {0x2dc3, 0x33d5, 0x3952}, 0, "Softmax float16");
  const std::vector<uint16_t> half_b{0x3800, 0x3c00, 0x3e00, 0x4000};  // 0.5 1 1.5 2
  check_near(eval1<uint16_t>(ODLA_FLOAT16, {2, 2}, std::vector<uint16_t>{0x3c00, 0x4000, 0x4200,
                                                                         0x4400},  // 1 2 3 4
                             4, [&](odla_value x) {
                               return odla_Gemm(x, 0, constant(half_b, ODLA_FLOAT16, {2, 2}), 0,
                                                1.f, 0.f, nullptr, shape({2, 2}), nullptr);
                             }),
             {0x4300, 0x4500, 0x4780, 0x4980}, 0, "Gemm float16");  // 3.5 5 7.5 11
  const std::vector<float> mean{0, 1}, var{1, 4}, offset{1, 1};
  check_near(eval1<float>(ODLA_FLOAT32, {1, 2, 1, 1}, std::vector<float>{1, 2}, 2,
                          [&](odla_value x) {
                            return odla_BatchNormalization(
                                x, ODLA_CHANNELS_FIRST, constant(mean, ODLA_FLOAT32, {2}),
                                constant(var, ODLA_FLOAT32, {2}), 0.f, nullptr,
                                constant(offset, ODLA_FLOAT32, {2}), 2.f, 0.f, nullptr);
                          }), {3, 2}, 1e-6, "BatchNormalization (scalar scale)");
  check_near(eval1<float>(ODLA_FLOAT32, {2, 2}, std::vector<float>{1, 3, 2, 2}, 4, [](odla_value x) {
               return odla_LayerNormalization(x, -1, 1e-5f, nullptr, nullptr, nullptr);
             }), {-0.999995f, 0.999995f, 0, 0}, 1e-5, "LayerNormalization");
  check_near(eval1<float>(ODLA_FLOAT32, {1, 2, 1, 1}, std::vector<float>{1, 2}, 2, [](odla_value x) {
               return odla_LRN(x, ODLA_CHANNELS_FIRST, 3, 3.f, 1.f, 1.f, nullptr);
             }), {1.f / 6, 2.f / 6}, 1e-6, "LRN");
  std::vector<float> grid(9);
  for (int i = 0; i < 9; ++i) grid[i] = static_cast<float>(i);
  const odla_uint32 w2[] = {2, 2}, w3[] = {3, 3}, one[] = {1, 1}, two[] = {2, 2}, zero[] = {0, 0};
  check_near(eval1<float>(ODLA_FLOAT32, {1, 1, 3, 3}, grid, 4, [&](odla_value x) {
               return odla_MaxPool(x, ODLA_CHANNELS_FIRST, w2, one, zero, zero, nullptr,
                                   shape({1, 1, 2, 2}), nullptr);
             }), {4, 5, 7, 8}, 0, "MaxPool");
  check_near(eval1<float>(ODLA_FLOAT32, {1, 1, 3, 3}, grid, 1, [&](odla_value x) {
               return odla_MaxPool(x, ODLA_CHANNELS_FIRST, w2, one, zero, zero, two,
                                   shape({1, 1, 1, 1}), nullptr);
             }), {8}, 0, "MaxPool dilated");
  check_near(eval1<float>(ODLA_FLOAT32, {1, 1, 3, 3}, grid, 9, [&](odla_value x) {
               return odla_AveragePool(x, ODLA_CHANNELS_FIRST, w3, one, one, one, 0,
                                       shape({1, 1, 3, 3}), nullptr);
             }), {2, 2.5f, 3, 3.5f, 4, 4.5f, 5, 5.5f, 6}, 1e-6, "AveragePool");
  const std::vector<float> ones{1, 1, 1, 1};
  check_near(eval1<float>(ODLA_FLOAT32, {1, 1, 2, 2}, std::vector<float>{1, 2, 3, 4}, 16,
                          [&](odla_value x) {
                            return odla_DeConv(x, ODLA_CHANNELS_FIRST, 1,
                                               constant(ones, ODLA_FLOAT32, {1, 1, 2, 2}),
                                               ODLA_IOS, two, one, zero, zero, nullptr,
                                               shape({1, 1, 4, 4}), nullptr);
                          }), {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 0, "DeConv");
  check_near(eval1<float>(ODLA_FLOAT32, {1, 1, 1, 2}, std::vector<float>{1, 2}, 8, [](odla_value x) {
               return odla_Resize(x, ODLA_NEAREST, ODLA_ASSYMMETRIC, 0, ODLA_NEAREST_FLOOR,
                                  -0.75f, 0, 0.f, nullptr, nullptr, shape({1, 1, 2, 4}), nullptr);
             }), {1, 1, 2, 2, 1, 1, 2, 2}, 0, "Resize nearest");
  check_near(eval1<float>(ODLA_FLOAT32, {3}, std::vector<float>{3, -3, 1}, 3, [](odla_value x) {
               return odla_HardSwish(x, nullptr);
             }), {3, 0, 2.f / 3}, 1e-6, "HardSwish");
}

// Conv followed by Relu/Clamp: the planner fuses the clamp into the conv when
// nothing else reads the conv's result, and must not when something does.
void test_conv_clamp_fusion() {
  const std::vector<float> x{-1, 2, 5}, w{1};
  const odla_uint32 one[] = {1, 1}, zero[] = {0, 0};
  auto conv = [&](odla_value in) {
    return odla_Conv(in, ODLA_CHANNELS_FIRST, 1, constant(w, ODLA_FLOAT32, {1, 1, 1, 1}), ODLA_OIS,
                     one, one, zero, zero, nullptr, shape({1, 1, 1, 3}), nullptr);
  };
  check_near(eval1<float>(ODLA_FLOAT32, {1, 1, 1, 3}, x, 3, [&](odla_value in) {
               return odla_Relu(conv(in), nullptr);
             }), {0, 2, 5}, 0, "Conv + Relu");
  check_near(eval1<float>(ODLA_FLOAT32, {1, 1, 1, 3}, x, 3, [&](odla_value in) {
               return odla_Clamp(conv(in), 0.f, 4.f, nullptr);
             }), {0, 2, 4}, 0, "Conv + Clamp");
  Computation c;  // the conv's result is an output too: it keeps its negative value
  odla_value c_out = conv(arg("x", ODLA_FLOAT32, {1, 1, 1, 3}));
  odla_value r_out = odla_Relu(c_out, ID("relu"));
  odla_value_id c_id = nullptr;
  odla_GetValueId(c_out, &c_id);
  CHECK(odla_SetValueAsOutput(c_out) == ODLA_SUCCESS);
  CHECK(odla_SetValueAsOutput(r_out) == ODLA_SUCCESS);
  std::vector<float> conv_result(3), relu_result(3);
  CHECK(run(c.comp, {{"x", x.data()}},
            {{reinterpret_cast<const char*>(c_id), conv_result.data()}, {"relu", relu_result.data()}}) ==
        ODLA_SUCCESS);
  check_near(conv_result, {-1, 2, 5}, 0, "Conv read by Relu and the caller");
  check_near(relu_result, {0, 2, 5}, 0, "Relu of a conv the caller reads");
  // How many steps run is the reference planner's fusion (portable kernels); other runtimes
  // fuse in their own lowering and may run both nodes as one region.
  if (std::strstr(odla_GetVersionString(), "HALO reference runtime") == nullptr) return;
  odla_uint64 arena = 0, steps = 0;
  CHECK(odla_GetComputationStats(c.comp, &arena, &steps) == ODLA_SUCCESS && steps == 2);
  Computation fused;
  CHECK(odla_SetValueAsOutput(odla_Relu(conv(arg("x", ODLA_FLOAT32, {1, 1, 1, 3})), ID("r"))) ==
        ODLA_SUCCESS);
  CHECK(odla_GetComputationStats(fused.comp, &arena, &steps) == ODLA_SUCCESS && steps == 1);
}

void test_math_ops() {
  const std::vector<int32_t> den{2, 2, 0, -1}, m3{3, -3};
  check_near(eval1<int32_t>(ODLA_INT32, {4}, std::vector<int32_t>{7, -7, 7, INT32_MIN}, 4,
                            [&](odla_value x) {
                              return odla_Div(x, constant(den, ODLA_INT32, {4}), nullptr);
                            }), {3, -3, 0, INT32_MIN}, 0, "Div int32");
  for (odla_int64 fmod : {0, 1})
    check_near(eval1<int32_t>(ODLA_INT32, {2}, std::vector<int32_t>{-7, 7}, 2, [&](odla_value x) {
                 return odla_Mod(x, constant(m3, ODLA_INT32, {2}), fmod, nullptr);
               }), fmod ? std::vector<int32_t>{-1, 1} : std::vector<int32_t>{2, -2}, 0, "Mod");
  const std::vector<int32_t> e{3, 2};
  check_near(eval1<float>(ODLA_FLOAT32, {2}, std::vector<float>{2, 3}, 2, [&](odla_value x) {
               return odla_Pow(x, constant(e, ODLA_INT32, {2}), nullptr);
             }), {8, 9}, 1e-6, "Pow mixed types");
  const std::vector<uint16_t> two_h{0x4000};  // 2.0 in float16
  check_near(eval1<uint16_t>(ODLA_FLOAT16, {1}, std::vector<uint16_t>{0x3C00}, 1, [&](odla_value x) {
               return odla_Add(x, constant(two_h, ODLA_FLOAT16, {1}), nullptr);
             }), {0x4200}, 0, "Add float16");
  const std::vector<uint8_t> sh{1, 1}, sr{2, 10};
  check_near(eval1<uint8_t>(ODLA_UINT8, {2}, std::vector<uint8_t>{1, 255}, 2, [&](odla_value x) {
               return odla_Shift(x, constant(sh, ODLA_UINT8, {2}), 1, nullptr);
             }), {2, 254}, 0, "Shift left");
  check_near(eval1<uint8_t>(ODLA_UINT8, {2}, std::vector<uint8_t>{16, 8}, 2, [&](odla_value x) {
               return odla_Shift(x, constant(sr, ODLA_UINT8, {2}), 0, nullptr);
             }), {4, 0}, 0, "Shift right");
  check_near(eval1<int32_t>(ODLA_INT32, {3}, std::vector<int32_t>{-5, 5, 50}, 3, [](odla_value x) {
               return odla_Clamp(x, 0.f, 10.f, nullptr);
             }), {0, 5, 10}, 0, "Clamp int32");
  const std::vector<int32_t> cmp{1, 5};
  check_near(eval1<uint8_t>(ODLA_INT32, {2}, std::vector<int32_t>{1, 2}, 2, [&](odla_value x) {
               return odla_Not(odla_Equal(x, constant(cmp, ODLA_INT32, {2}), nullptr), nullptr);
             }), {0, 1}, 0, "Equal + Not");
  check_near(eval1<float>(ODLA_FLOAT32, {4}, std::vector<float>{0.5f, 1.5f, 2.5f, -0.5f}, 4,
                          [](odla_value x) { return odla_Round(x, nullptr); }),
             {0, 2, 2, -0.f}, 0, "Round half to even");
  check_near(eval1<uint8_t>(ODLA_FLOAT32, {3}, std::vector<float>{INFINITY, -INFINITY, 1}, 3,
                            [](odla_value x) { return odla_IsInf(x, 1, 0, nullptr); }),
             {1, 0, 0}, 0, "IsInf positive only");
}

}  // namespace

void op_tests() {
  test_slice_pad_concat();
  test_broadcast_ops();
  test_index_ops();
  test_scan_ops();
  test_nn_ops();
  test_conv_clamp_fusion();
  test_math_ops();
}

}  // namespace api_test
