// Usage: bench_kernels [reps] [name filter]
// Standalone timing of the reference runtime's sgemm and conv at ResNet-18
// layer shapes: best-of-N milliseconds and GFLOP/s. The ISA and thread count
// come from ODLA_ISA / ODLA_NUM_THREADS, as for the runtime.
//   g++ -O2 -std=c++17 -I odla/runtimes/reference -I odla/runtimes/common benchmarks/kernels/bench_kernels.cc \
//       BUILD/runtimes/reference/libodla_reference.a -pthread -o /tmp/bench_kernels
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "kernels/conv.h"
#include "kernels/gemm.h"
#if __has_include("kernels/isa.h")
#include "kernels/isa.h"
#define HAVE_ISA 1
#endif
#include "kernels/parallel.h"

namespace {

double best_ms(const std::function<void()>& fn, int reps) {
  fn();  // warm up (packs, scratch growth)
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  return best;
}

std::vector<float> rnd(size_t n, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

struct ConvShape {
  const char* name;
  int64_t cin, cout, hw, k, s, pad;
  int count;  // times the layer occurs in ResNet-18
};

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 10;
  const char* only = argc > 2 ? argv[2] : nullptr;  // run the shapes whose name has this
#ifdef HAVE_ISA
  std::printf("isa=%s ", odla_ref::isa_name(odla_ref::active_isa()));
#endif
  std::printf("threads=%d\n", odla_ref::num_threads());
  for (int64_t n : {256, 512, 1024}) {
    if (only != nullptr && std::strstr("sgemm", only) == nullptr) break;
    auto a = rnd(n * n, 1), b = rnd(n * n, 2);
    std::vector<float> c(n * n);
    const double ms = best_ms([&] {
      odla_ref::sgemm(false, false, n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n);
    }, reps);
    std::printf("sgemm %4lld^3          %8.3f ms %7.1f GFLOP/s\n", (long long)n, ms,
                2.0 * n * n * n / ms * 1e-6);
  }
  const ConvShape shapes[] = {
      {"conv1 7x7/2 3->64 224", 3, 64, 224, 7, 2, 3, 1},
      {"3x3/1 64->64 56", 64, 64, 56, 3, 1, 1, 4},
      {"3x3/2 64->128 56", 64, 128, 56, 3, 2, 1, 1},
      {"1x1/2 64->128 56", 64, 128, 56, 1, 2, 0, 1},
      {"3x3/1 128->128 28", 128, 128, 28, 3, 1, 1, 3},
      {"3x3/2 128->256 28", 128, 256, 28, 3, 2, 1, 1},
      {"1x1/2 128->256 28", 128, 256, 28, 1, 2, 0, 1},
      {"3x3/1 256->256 14", 256, 256, 14, 3, 1, 1, 3},
      {"3x3/2 256->512 14", 256, 512, 14, 3, 2, 1, 1},
      {"1x1/2 256->512 14", 256, 512, 14, 1, 2, 0, 1},
      {"3x3/1 512->512 7", 512, 512, 7, 3, 1, 1, 3},
  };
  double total_ms = 0;
  for (const ConvShape& s : shapes) {
    if (only != nullptr && std::strstr(s.name, only) == nullptr) continue;
    odla_ref::ConvParams p;
    p.spatial = 2;
    p.in_channels = s.cin, p.out_channels = s.cout;
    const int64_t out = (s.hw + 2 * s.pad - s.k) / s.s + 1;
    for (int a = 0; a < 2; ++a) {
      p.in_dims[a] = s.hw, p.out_dims[a] = out, p.kernel[a] = s.k, p.strides[a] = s.s;
      p.pads_front[a] = s.pad;
    }
    auto x = rnd(s.cin * s.hw * s.hw, 3), w = rnd(s.cout * s.cin * s.k * s.k, 4),
         bias = rnd(s.cout, 5);
    std::vector<float> y(s.cout * out * out);
    std::vector<char> ws(odla_ref::conv_workspace_bytes(p) + 64);
    const odla_ref::ConvWeights packed = odla_ref::pack_conv_weights(p, w.data());
    odla_ref::detail::Activation relu{0.f, odla_ref::detail::Activation::kInf, true};
    const double ms = best_ms([&] {
      odla_ref::conv(p, x.data(), w.data(), bias.data(), y.data(), ws.data(), &packed, relu);
    }, reps);
    const double flops = 2.0 * s.cout * out * out * s.cin * s.k * s.k;
    total_ms += ms * s.count;
    std::printf("conv %-22s %8.3f ms %7.1f GFLOP/s (x%d)\n", s.name, ms, flops / ms * 1e-6, s.count);
  }
  std::printf("ResNet-18 convs total    %8.3f ms\n", total_ms);
  return 0;
}
