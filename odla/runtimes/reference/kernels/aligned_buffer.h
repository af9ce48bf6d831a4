// Grow-only 64-byte-aligned scratch buffer (used thread_local by kernels).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

namespace odla_ref {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { std::free(data_); }

  // Returns at least `bytes` bytes; contents are unspecified after growth.
  void* bytes(size_t bytes) {
    if (bytes > size_) {
      std::free(data_);
      size_ = (bytes + 63) / 64 * 64;
      data_ = std::aligned_alloc(64, size_);
      if (data_ == nullptr) {
        size_ = 0;
        throw std::bad_alloc();
      }
    }
    return data_;
  }
  float* floats(size_t count) {
    return static_cast<float*>(bytes(count * sizeof(float)));
  }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace odla_ref
