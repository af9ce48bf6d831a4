// Classify the held-out digits with the model that halo_add_model() compiled from mnist.onnx.
//
//   mnist [digits_test.bin]
//
// Prints the predicted digit of every image and the accuracy, in the format of check_ort.py:
//   predictions: 6662566221...
//   accuracy: 0.9833 (354/360)
// The file format is documented in digits.py.

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "mnist.h"

namespace {

constexpr std::size_t kRows = 8;
constexpr std::size_t kCols = 8;
constexpr std::size_t kClasses = 10;
constexpr float kPixelScale = 16.0F;
constexpr std::size_t kHeaderSize = 16;

struct Digits {
  std::vector<std::uint8_t> pixels;  // count * kRows * kCols values 0..16
  std::vector<std::uint8_t> labels;  // count values 0..9
};

std::uint32_t ReadLittleEndian32(const std::uint8_t* bytes) {
  return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8U |
         static_cast<std::uint32_t>(bytes[2]) << 16U | static_cast<std::uint32_t>(bytes[3]) << 24U;
}

bool LoadDigits(const std::string& path, Digits* digits) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "mnist: cannot open %s\n", path.c_str());
    return false;
  }
  const std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(file),
                                       std::istreambuf_iterator<char>()};
  if (data.size() < kHeaderSize || std::memcmp(data.data(), "HDG1", 4) != 0) {
    std::fprintf(stderr, "mnist: %s is not a digits file\n", path.c_str());
    return false;
  }
  const std::size_t count = ReadLittleEndian32(&data[4]);
  if (ReadLittleEndian32(&data[8]) != kRows || ReadLittleEndian32(&data[12]) != kCols ||
      data.size() != kHeaderSize + count * (kRows * kCols + 1)) {
    std::fprintf(stderr, "mnist: %s does not hold %zux%zu digits\n", path.c_str(), kRows, kCols);
    return false;
  }
  const auto pixels_begin = data.begin() + kHeaderSize;
  const auto labels_begin = pixels_begin + static_cast<std::ptrdiff_t>(count * kRows * kCols);
  digits->pixels.assign(pixels_begin, labels_begin);
  digits->labels.assign(labels_begin, data.end());
  return true;
}

// The index of the largest logit; the first one on ties, like numpy's argmax.
std::size_t ArgMax(const float* logits) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < kClasses; ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : MNIST_DIGITS_FILE;
  Digits digits;
  if (!LoadDigits(path, &digits)) return 1;
  if (mnist_init() != 0) {
    std::fprintf(stderr, "mnist: mnist_init() failed\n");
    return 1;
  }
  std::string predictions;
  std::size_t correct = 0;
  float image[kRows * kCols];
  float logits[kClasses];
  for (std::size_t n = 0; n < digits.labels.size(); ++n) {
    for (std::size_t i = 0; i < kRows * kCols; ++i) {
      image[i] = static_cast<float>(digits.pixels[n * kRows * kCols + i]) / kPixelScale;
    }
    if (mnist(image, logits) != 0) {
      std::fprintf(stderr, "mnist: inference failed on digit %zu\n", n);
      mnist_fini();
      return 1;
    }
    const std::size_t predicted = ArgMax(logits);
    predictions += static_cast<char>('0' + predicted);
    correct += predicted == digits.labels[n] ? 1 : 0;
  }
  mnist_fini();
  const std::size_t total = digits.labels.size();
  std::printf("predictions: %s\n", predictions.c_str());
  std::printf("accuracy: %.4f (%zu/%zu)\n", static_cast<double>(correct) / static_cast<double>(total),
              correct, total);
  return 0;
}
