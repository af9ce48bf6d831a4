// Running a region: boundary transposes, the runtime pool, XNNPACK setup and invoke.
#include <algorithm>
#include <mutex>

#include "api.h"
#include "kernels/parallel.h"
#include "region.h"

namespace odla_xnn {

bool ready() {
  static const bool ok = xnn_initialize(nullptr) == xnn_status_success;
  return ok;
}

const std::vector<std::string>& supported_ops() {
  static const std::vector<std::string> ops{
      "odla_Abs",     "odla_Add",       "odla_AveragePool", "odla_Ceil",  "odla_Clamp",
      "odla_Conv",    "odla_Div",       "odla_Elu",         "odla_Floor",       "odla_Gemm",  "odla_HardSwish", "odla_LeakyRelu",
      "odla_Max",     "odla_MaxPool",   "odla_Min",         "odla_Mul",   "odla_Neg",
      "odla_QLinearConv", "odla_QLinearMatMul",
      "odla_ReduceMean", "odla_Relu",   "odla_Reshape",     "odla_Round", "odla_Sigmoid",
      "odla_Softmax", "odla_Sqrt",      "odla_Sub",         "odla_Transpose"};
  return ops;
}

namespace {

// [C, S] -> [S, C] for each of N images (dst[n][s][c] = src[n][c][s]) or back;
// 8-bit elements XOR `flip` on the way (uint8 <-> the region's int8).
struct TransposeJob {
  const void* src;
  void* dst;
  int64_t C, S, tiles;
  bool to_nhwc;
  uint8_t flip;
};
constexpr int64_t kTile = 32;

template <class T>
void transpose_tile(void* arg, size_t job) {
  const auto& t = *static_cast<const TransposeJob*>(arg);
  const int64_t n = static_cast<int64_t>(job) / t.tiles;
  const int64_t tile = static_cast<int64_t>(job) % t.tiles;
  const int64_t s0 = tile * kTile, s1 = std::min(t.S, s0 + kTile);
  const T* src = static_cast<const T*>(t.src) + n * t.C * t.S;
  T* dst = static_cast<T*>(t.dst) + n * t.C * t.S;
  const T flip = static_cast<T>(t.flip);  // 0 for floats
  for (int64_t c0 = 0; c0 < t.C; c0 += kTile) {
    const int64_t c1 = std::min(t.C, c0 + kTile);
    if (t.to_nhwc) {
      for (int64_t s = s0; s < s1; ++s)
        for (int64_t c = c0; c < c1; ++c) dst[s * t.C + c] = src[c * t.S + s] ^ flip;
    } else {
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t s = s0; s < s1; ++s) dst[c * t.S + s] = src[s * t.C + c] ^ flip;
    }
  }
}

// XOR 0x80 of `job`'s block of 16 KiB (a flip without a transpose).
struct FlipJob {
  const uint8_t* src;
  uint8_t* dst;
  size_t n;
};
constexpr size_t kFlipBlock = 1 << 14;

void flip_block(void* arg, size_t job) {
  const auto& f = *static_cast<const FlipJob*>(arg);
  const size_t b = job * kFlipBlock, e = std::min(f.n, b + kFlipBlock);
  for (size_t i = b; i < e; ++i) f.dst[i] = f.src[i] ^ 0x80;
}

// A boundary value between its ODLA buffer and its XNNPACK copy in scratch.
void relayout(const Binding& b, const void* src, void* dst, bool to_nhwc) {
  const Dims& nchw = b.nchw;
  const int64_t total = odla_rt::num_elements(nchw);
  if (!b.transpose) {  // a flip
    FlipJob f{static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst),
              static_cast<size_t>(total)};
    const size_t jobs = (f.n + kFlipBlock - 1) / kFlipBlock;
    if (jobs <= 1) {
      if (jobs == 1) flip_block(&f, 0);
      return;
    }
    pthreadpool_parallelize_1d(threadpool(), flip_block, &f, jobs, 0);
    return;
  }
  TransposeJob t{src, dst, nchw[1], nchw[2] * nchw[3], 0, to_nhwc,
                 static_cast<uint8_t>(b.flip ? 0x80 : 0)};
  t.tiles = (t.S + kTile - 1) / kTile;
  const size_t jobs = static_cast<size_t>(nchw[0] * t.tiles);
  auto* tile = b.elem == 1 ? transpose_tile<uint8_t> : transpose_tile<uint32_t>;
  if (total * static_cast<int64_t>(b.elem) < (1 << 16)) {
    for (size_t j = 0; j < jobs; ++j) tile(&t, j);
    return;
  }
  pthreadpool_parallelize_1d(threadpool(), tile, &t, jobs, 0);
}

bool copied(const Binding& b) { return b.transpose || b.flip; }

size_t aligned(size_t bytes) { return (bytes + 63) / 64 * 64; }

}  // namespace

Region::~Region() {
  for (auto& r : all_)
    if (r->runtime != nullptr) xnn_delete_runtime(r->runtime);
  if (subgraph != nullptr) xnn_delete_subgraph(subgraph);
}

bool Region::prepare() {
  size_t offset = 0;
  for (auto* list : {&inputs, &outputs})
    for (Binding& b : *list)
      if (copied(b)) {
        b.offset = offset;
        offset += aligned(static_cast<size_t>(odla_rt::num_elements(b.nchw)) * b.elem);
      }
  scratch_bytes = offset;
  auto r = std::make_unique<Runner>();
  if (xnn_create_runtime_v2(subgraph, threadpool(), 0, &r->runtime) != xnn_status_success)
    return false;
  free_.push_back(r.get());
  all_.push_back(std::move(r));
  return true;
}

Region::Runner* Region::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      Runner* r = free_.back();
      free_.pop_back();
      return r;
    }
  }
  // Another execution holds every runtime: make one more (kept for later).
  auto r = std::make_unique<Runner>();
  if (xnn_create_runtime_v2(subgraph, threadpool(), 0, &r->runtime) != xnn_status_success)
    throw odla_rt::Error("XNNPACK: cannot create a runtime", ODLA_FAILURE);
  std::lock_guard<std::mutex> lock(mutex_);
  all_.push_back(std::move(r));
  return all_.back().get();
}

void Region::release(Runner* r) {
  std::lock_guard<std::mutex> lock(mutex_);
  free_.push_back(r);
}

void Region::run(const odla_rt::KernelIO& io) {
  char* scratch = static_cast<char*>(io.scratch);
  std::vector<xnn_external_value> ext;
  std::vector<void*> bound;
  ext.reserve(inputs.size() + outputs.size());
  for (const Binding& b : inputs) {
    const void* src = io.input<void>(b.io);
    void* data = const_cast<void*>(src);
    if (copied(b)) {
      data = scratch + b.offset;
      relayout(b, src, data, true);
    }
    ext.push_back({b.xid, data});
    bound.push_back(data);
  }
  for (const Binding& b : outputs) {
    void* data = copied(b) ? static_cast<void*>(scratch + b.offset) : io.output<void>(b.io);
    ext.push_back({b.xid, data});
    bound.push_back(data);
  }
  Runner* r = acquire();
  xnn_status status = xnn_status_success;
  if (r->bound != bound) {
    status = xnn_setup_runtime(r->runtime, ext.size(), ext.data());
    r->bound = status == xnn_status_success ? bound : std::vector<void*>();
  }
  if (status == xnn_status_success) status = xnn_invoke_runtime(r->runtime);
  release(r);
  if (status != xnn_status_success)
    throw odla_rt::Error("XNNPACK failed to run a subgraph (status " +
                             std::to_string(static_cast<int>(status)) + ")",
                         ODLA_FAILURE);
  for (const Binding& b : outputs)
    if (copied(b)) relayout(b, scratch + b.offset, io.output<void>(b.io), false);
}

}  // namespace odla_xnn
