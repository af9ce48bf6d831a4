// Benchmark driver for `halo bench`: loads a model's shared library, builds the
// computation (NAME_init), and times calls of the model function on commands
// read from stdin, so that the caller can interleave it with other engines.
//
//   bench_main LIB.so NAME (--in FILE | --out BYTES)...
//
// Inputs are raw little-endian arrays (one file per model input, in order);
// outputs are buffers of the given byte counts. Protocol, one line each way:
//   <- "ready init_ms <ms> baseline_kb <peak RSS before loading the model>"
//   -> "run <warmup> <runs>"   <- "times_ns <t1> ... <tK>"
//   -> "quit" (or EOF)          <- "done maxrss_kb <peak RSS of the process>"
// Any failure prints "error <message>" and exits with status 1.
#include <dlfcn.h>
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using Caller = int (*)(void*, void* const*);
constexpr size_t kMaxArgs = 128;

template <size_t... I>
int call_with(void* fn, void* const* args, std::index_sequence<I...>) {
  using Fn = int (*)(decltype((void)I, static_cast<void*>(nullptr))...);
  return reinterpret_cast<Fn>(fn)(args[I]...);
}

template <size_t N>
int call_n(void* fn, void* const* args) {
  return call_with(fn, args, std::make_index_sequence<N>());
}

template <size_t... N>
constexpr std::array<Caller, sizeof...(N)> make_callers(std::index_sequence<N...>) {
  return {&call_n<N>...};
}

constexpr std::array<Caller, kMaxArgs + 1> kCallers =
    make_callers(std::make_index_sequence<kMaxArgs + 1>());

// Peak resident memory of this process image. VmHWM, not getrusage's ru_maxrss: Linux carries
// ru_maxrss over execve, so it would report the parent's (Python's) peak.
long max_rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

[[noreturn]] void die(const std::string& message) {
  std::cout << "error " << message << std::endl;
  std::exit(1);
}

void* aligned_buffer(size_t bytes) {
  const size_t size = (bytes + 63) / 64 * 64 + 64;
  void* p = std::aligned_alloc(64, size);
  if (p == nullptr) die("out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, size);
  return p;
}

void* read_input(const char* path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) die(std::string("cannot read input file ") + path);
  const std::vector<char> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  void* p = aligned_buffer(data.size());
  std::memcpy(p, data.data(), data.size());
  return p;
}

std::string last_error(void* lib) {
  using Msg = const char* (*)();
  auto fn = reinterpret_cast<Msg>(dlsym(lib, "odla_GetLastErrorMessage"));
  const char* m = fn != nullptr ? fn() : nullptr;
  return m != nullptr && *m != '\0' ? m : "no details";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) die("usage: bench_main LIB.so NAME (--in FILE | --out BYTES)...");
  const long baseline_kb = max_rss_kb();
  std::vector<void*> args;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--in") == 0)
      args.push_back(read_input(argv[i + 1]));
    else if (std::strcmp(argv[i], "--out") == 0)
      args.push_back(aligned_buffer(std::strtoull(argv[i + 1], nullptr, 10)));
    else
      die(std::string("unknown argument ") + argv[i]);
  }
  if (args.size() > kMaxArgs) die("more than " + std::to_string(kMaxArgs) + " inputs and outputs");
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) die(std::string("dlopen: ") + dlerror());
  const std::string name = argv[2];
  void* fn = dlsym(lib, name.c_str());
  auto init = reinterpret_cast<int (*)()>(dlsym(lib, (name + "_init").c_str()));
  auto fini = reinterpret_cast<void (*)()>(dlsym(lib, (name + "_fini").c_str()));
  if (fn == nullptr || init == nullptr) die("the library has no " + name + " or " + name + "_init");
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  if (init() != 0) die(name + "_init failed: " + last_error(lib));
  const double init_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::cout << "ready init_ms " << init_ms << " baseline_kb " << baseline_kb << std::endl;
  const Caller call = kCallers[args.size()];
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd == "quit") break;
    long warmup = 0, runs = 0;
    if (cmd != "run" || !(in >> warmup >> runs) || warmup < 0 || runs < 0)
      die("bad command '" + line + "'");
    for (long i = 0; i < warmup; ++i)
      if (call(fn, args.data()) != 0) die(name + " failed: " + last_error(lib));
    std::string out = "times_ns";
    for (long i = 0; i < runs; ++i) {
      const auto start = Clock::now();
      const int rc = call(fn, args.data());
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
      if (rc != 0) die(name + " failed: " + last_error(lib));
      out += " " + std::to_string(ns.count());
    }
    std::cout << out << std::endl;
  }
  if (fini != nullptr) fini();  // destroys the computation: the runtime writes ODLA_PROFILE now
  std::cout << "done maxrss_kb " << max_rss_kb() << std::endl;
  return 0;
}
