#include "kernels/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace odla_ref {
namespace {

using Fn = std::function<void(int64_t, int64_t)>;

// True on pool workers and on a caller while it runs its share of a job.
thread_local bool t_in_parallel = false;

int read_thread_count() {
  if (const char* env = std::getenv("ODLA_NUM_THREADS")) {
    const int v = std::atoi(env);
    if (v > 0) return v;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

struct Job {
  const Fn* fn;
  int64_t n;
  int64_t chunk;
  int64_t num_chunks;
  std::atomic<int64_t> next{0};
  std::atomic<int> users{0};  // workers inside execute(); changed under Pool::mu_
  std::mutex error_mu;
  std::exception_ptr error;

  // Claims and runs chunks until none are left.
  void execute() {
    for (;;) {
      const int64_t c = next.fetch_add(1, std::memory_order_relaxed);
      if (c >= num_chunks) return;
      const int64_t begin = c * chunk;
      try {
        (*fn)(begin, std::min(n, begin + chunk));
      } catch (...) {
        std::lock_guard<std::mutex> lk(error_mu);
        if (!error) error = std::current_exception();
      }
    }
  }
};

class Pool {
 public:
  explicit Pool(int threads) : threads_(threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
      generation_.fetch_add(1);
    }
    cv_work_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int threads() const { return threads_; }
  void run(Job& job);

 private:
  void loop();
  bool wait_for_job(uint64_t* seen, Job** job);

  const int threads_;
  std::vector<std::thread> workers_;
  std::mutex call_mu_;  // one job at a time
  std::mutex mu_;
  std::condition_variable cv_work_, cv_done_;
  std::atomic<uint64_t> generation_{0};
  Job* job_ = nullptr;
  bool stop_ = false;
};

void Pool::run(Job& job) {
  std::lock_guard<std::mutex> call(call_mu_);
  {
    std::lock_guard<std::mutex> lk(mu_);
    job_ = &job;
    generation_.fetch_add(1, std::memory_order_release);
  }
  cv_work_.notify_all();
  t_in_parallel = true;
  job.execute();
  t_in_parallel = false;
  {
    std::lock_guard<std::mutex> lk(mu_);
    job_ = nullptr;  // late workers will not pick it up
  }
  // The other workers are usually about to finish: spin briefly before
  // sleeping, since a futex wake-up costs more than most jobs' tails.
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
  for (int i = 0; job.users.load(std::memory_order_acquire) != 0; ++i)
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) break;
  std::unique_lock<std::mutex> lk(mu_);
  cv_done_.wait(lk, [&] { return job.users.load() == 0; });
}

// Spins briefly, then sleeps until a new generation; returns false on stop.
bool Pool::wait_for_job(uint64_t* seen, Job** job) {
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::microseconds(200);
  for (int i = 0; generation_.load(std::memory_order_acquire) == *seen; ++i) {
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) break;
  }
  std::unique_lock<std::mutex> lk(mu_);
  cv_work_.wait(lk, [&] { return stop_ || generation_.load() != *seen; });
  if (stop_) return false;
  *seen = generation_.load();
  *job = job_;
  if (job_ != nullptr) ++job_->users;
  return true;
}

void Pool::loop() {
  t_in_parallel = true;
  uint64_t seen = 0;
  Job* job = nullptr;
  while (wait_for_job(&seen, &job)) {
    if (job == nullptr) continue;
    job->execute();
    std::lock_guard<std::mutex> lk(mu_);
    if (--job->users == 0) cv_done_.notify_all();
  }
}

Pool& pool() {
  static Pool instance(read_thread_count());
  return instance;
}

}  // namespace

int num_threads() { return pool().threads(); }

void parallel_for(int64_t n, const Fn& fn, int64_t grain) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  Pool& p = pool();
  if (n <= grain || p.threads() == 1 || t_in_parallel) {
    fn(0, n);
    return;
  }
  const int64_t max_chunks = std::min<int64_t>(4 * p.threads(), (n + grain - 1) / grain);
  Job job;
  job.fn = &fn;
  job.n = n;
  job.chunk = std::max(grain, (n + max_chunks - 1) / max_chunks);
  job.num_chunks = (n + job.chunk - 1) / job.chunk;
  p.run(job);
  if (job.error) std::rethrow_exception(job.error);
}

}  // namespace odla_ref
