// Small harness for the ODLA API tests: checks that count failures, and
// helpers to declare values and run a computation.
#pragma once

#include <ODLA/odla.h>

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace api_test {

inline int& failures() {
  static int count = 0;
  return count;
}

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::printf("%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, __LINE__, \
                  #cond, odla_GetLastErrorMessage());                            \
      ++api_test::failures();                                                    \
    }                                                                            \
  } while (0)

#define ID(name) ((odla_value_id)(name))

template <class T>
void check_near(const std::vector<T>& got, const std::vector<T>& want, double tol,
                const char* what) {
  bool ok = got.size() == want.size();
  for (size_t i = 0; ok && i < got.size(); ++i) {
    const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
    ok = g == w || (std::isnan(g) && std::isnan(w)) || std::fabs(g - w) <= tol * (1 + std::fabs(w));
  }
  if (!ok) {
    std::printf("FAIL %s: got", what);
    for (const T& v : got) std::printf(" %g", static_cast<double>(v));
    std::printf(" | want");
    for (const T& v : want) std::printf(" %g", static_cast<double>(v));
    std::printf("\n");
    ++failures();
  }
}

inline odla_value_shape shape(std::initializer_list<int64_t> dims) {
  odla_value_shape s{};
  for (int64_t d : dims) s.dims[s.size++] = d;
  return s;
}

inline odla_value_type vtype(odla_element_type t, std::initializer_list<int64_t> dims) {
  odla_value_type v{};
  v.element_type = t;
  v.shape = shape(dims);
  return v;
}

inline odla_value arg(const char* id, odla_element_type t, std::initializer_list<int64_t> dims) {
  return odla_CreateArgument(vtype(t, dims), ID(id));
}

template <class T>
odla_value constant(const std::vector<T>& data, odla_element_type t,
                    std::initializer_list<int64_t> dims, const char* id = nullptr) {
  return odla_CreateConstant(vtype(t, dims), data.data(), ID(id));
}

inline odla_values values(std::initializer_list<odla_value> vs) {
  odla_values out{};
  for (odla_value v : vs) out.values[out.size++] = v;
  return out;
}

// Owns a computation created (and made current) on the calling thread.
struct Computation {
  odla_computation comp = nullptr;
  Computation() { odla_CreateComputation(&comp); }
  ~Computation() { odla_DestroyComputation(comp); }
  Computation(const Computation&) = delete;
  Computation& operator=(const Computation&) = delete;
};

using Inputs = std::vector<std::pair<const char*, const void*>>;
using Outputs = std::vector<std::pair<const char*, void*>>;

// Binds the buffers in a fresh context and executes once.
inline odla_status run(odla_computation comp, const Inputs& ins, const Outputs& outs) {
  odla_context ctx = nullptr;
  odla_CreateContext(&ctx);
  odla_status status = ODLA_SUCCESS;
  for (const auto& [id, p] : ins)
    if (status == ODLA_SUCCESS) status = odla_BindToArgumentById(ID(id), p, ctx);
  for (const auto& [id, p] : outs)
    if (status == ODLA_SUCCESS) status = odla_BindToOutputById(ID(id), p, ctx);
  if (status == ODLA_SUCCESS)
    status = odla_ExecuteComputation(comp, ctx, ODLA_COMPUTE_INFERENCE, nullptr);
  odla_DestroyContext(ctx);
  return status;
}

// Test groups, one per file.
void graph_tests();
void op_tests();
void error_tests();
void thread_tests();
void capability_tests();

}  // namespace api_test
