#include "kernels/softmax.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace odla_ref {
namespace {

enum class Kind { kSoftmax, kLogSoftmax };

constexpr int64_t kBlock = 64;  // inner positions handled side by side

// Lines j in [0, w) of len elements spaced `inner` apart, starting at x + j.
template <class T>
void lines(const T* x, T* y, int64_t len, int64_t inner, int64_t w, Kind kind) {
  T m[kBlock], s[kBlock];
  std::fill(m, m + w, -static_cast<T>(INFINITY));
  std::fill(s, s + w, T(0));
  for (int64_t i = 0; i < len; ++i)
    for (int64_t j = 0; j < w; ++j) m[j] = std::max(m[j], x[i * inner + j]);
  for (int64_t i = 0; i < len; ++i) {
    for (int64_t j = 0; j < w; ++j) {
      const T v = std::exp(x[i * inner + j] - m[j]);
      s[j] += v;
      if (kind == Kind::kSoftmax) y[i * inner + j] = v;
    }
  }
  for (int64_t j = 0; j < w; ++j)
    s[j] = kind == Kind::kSoftmax ? T(1) / s[j] : m[j] + std::log(s[j]);
  for (int64_t i = 0; i < len; ++i) {
    for (int64_t j = 0; j < w; ++j) {
      if (kind == Kind::kSoftmax) {
        y[i * inner + j] *= s[j];
      } else {
        y[i * inner + j] = x[i * inner + j] - s[j];
      }
    }
  }
}

template <class T>
void run(const T* x, T* y, int64_t outer, int64_t len, int64_t inner, Kind kind) {
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
  const int64_t work = len * std::min(inner, kBlock);
  parallel_for(outer * blocks, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t j0 = t % blocks * kBlock;
      const int64_t off = t / blocks * len * inner + j0;
      lines(x + off, y + off, len, inner, std::min(kBlock, inner - j0), kind);
    }
  }, std::max<int64_t>(1, 8192 / std::max<int64_t>(work, 1)));
}

template <class T>
void hardmax_lines(const T* x, T* y, int64_t outer, int64_t axis_len, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      const T* xl = x + o * axis_len * inner + in;
      T* yl = y + o * axis_len * inner + in;
      int64_t best = 0;
      for (int64_t i = 1; i < axis_len; ++i)
        if (xl[i * inner] > xl[best * inner]) best = i;
      for (int64_t i = 0; i < axis_len; ++i) yl[i * inner] = i == best ? T(1) : T(0);
    }
  }
}

}  // namespace

#define ODLA_REF_SOFTMAX_FAMILY(T)                                                    \
  void softmax(const T* x, T* y, int64_t outer, int64_t axis_len, int64_t inner) {    \
    run(x, y, outer, axis_len, inner, Kind::kSoftmax);                                \
  }                                                                                   \
  void log_softmax(const T* x, T* y, int64_t outer, int64_t axis_len, int64_t inner) { \
    run(x, y, outer, axis_len, inner, Kind::kLogSoftmax);                             \
  }                                                                                   \
  void hardmax(const T* x, T* y, int64_t outer, int64_t axis_len, int64_t inner) {    \
    hardmax_lines(x, y, outer, axis_len, inner);                                      \
  }
ODLA_REF_SOFTMAX_FAMILY(float)
ODLA_REF_SOFTMAX_FAMILY(double)
#undef ODLA_REF_SOFTMAX_FAMILY

}  // namespace odla_ref
