// The documented life cycle of a generated model (mnist.h), checked under the sanitizers:
//   mnist() before mnist_init() builds the computation; mnist_fini() before init, and twice, does
//   nothing; init after fini rebuilds; any number of threads may call mnist() at once and get the
//   results of one thread; mnist_fini() while calls run waits for them, and later calls rebuild.
//
//   stress digits_test.bin        (the digits file of examples/mnist; format in digits.py)

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "mnist.h"

namespace {

constexpr std::size_t kPixels = 64;
constexpr std::size_t kClasses = 10;
constexpr std::size_t kHeader = 16;
constexpr int kThreads = 4;
constexpr int kRounds = 3;

std::vector<std::vector<float>> LoadImages(const char* path) {
  std::ifstream file(path, std::ios::binary);
  const std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(file),
                                       std::istreambuf_iterator<char>()};
  std::vector<std::vector<float>> images;
  if (data.size() < kHeader || std::memcmp(data.data(), "HDG1", 4) != 0) return images;
  const std::size_t count = data[4] | data[5] << 8U;
  for (std::size_t i = 0; i < count && i < 48; ++i) {
    std::vector<float> image(kPixels);
    for (std::size_t p = 0; p < kPixels; ++p) image[p] = data[kHeader + i * kPixels + p] / 16.0F;
    images.push_back(image);
  }
  return images;
}

bool Same(const float* a, const float* b) { return std::memcmp(a, b, kClasses * sizeof(float)) == 0; }

int Fail(const char* what) {
  std::fprintf(stderr, "stress: %s\n", what);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return Fail("usage: stress digits_test.bin");
  const std::vector<std::vector<float>> images = LoadImages(argv[1]);
  if (images.empty()) return Fail("no digits");

  mnist_fini();  // before any init: nothing to release
  std::vector<std::vector<float>> expected(images.size(), std::vector<float>(kClasses));
  for (std::size_t i = 0; i < images.size(); ++i) {  // the first call builds the computation
    if (mnist(images[i].data(), expected[i].data()) != 0) return Fail("mnist() failed");
  }
  mnist_fini();
  mnist_fini();  // twice: nothing more to release
  if (mnist_init() != 0 || mnist_init() != 0) return Fail("mnist_init() after fini failed");

  // Several threads at once give one thread's results; one more thread releases and rebuilds the
  // computation all the while.
  std::atomic<int> wrong{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> callers;
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&, t] {
      float logits[kClasses];
      for (int round = 0; round < kRounds; ++round) {
        for (std::size_t i = t; i < images.size(); i += 1) {
          if (mnist(images[i].data(), logits) != 0 || !Same(logits, expected[i].data())) ++wrong;
        }
      }
    });
  }
  std::thread churn([&] {
    for (int n = 0; !done.load(); ++n) {
      if (n % 2 == 0) mnist_fini(); else if (mnist_init() != 0) ++wrong;
      std::this_thread::yield();
    }
  });
  for (std::thread& caller : callers) caller.join();
  done = true;
  churn.join();
  mnist_fini();
  if (wrong != 0) {
    std::fprintf(stderr, "stress: %d wrong or failed calls\n", wrong.load());
    return 1;
  }
  std::printf("stress: %d threads x %d rounds, fini/init alongside: all results equal\n", kThreads,
              kRounds);
  return 0;
}
