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

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

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

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins on `done()` for at most `budget`, yielding the core every few rounds
// (so an oversubscribed machine still makes progress); true when it held.
template <class Pred>
bool spin_until(Pred done, std::chrono::microseconds budget) {
  const auto until = std::chrono::steady_clock::now() + budget;
  for (int i = 1;; ++i) {
    if (done()) return true;
    if ((i & 15) == 0) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::yield();
    } else {
      cpu_relax();
    }
  }
}

struct Job {
  const Fn* fn;
  int64_t n;
  int64_t chunk;
  int64_t num_chunks;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};  // chunks finished
  std::mutex error_mu;
  std::exception_ptr error;

  bool has_work() const { return next.load(std::memory_order_relaxed) < num_chunks; }

  // Claims and runs chunks until none are left; returns how many it ran.
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
      done.fetch_add(1, std::memory_order_acq_rel);
    }
  }
};

// Workers serve every job posted by any host thread: each caller posts its
// own job, runs chunks of it itself, and waits only for its own chunks, so
// concurrent callers share the workers instead of queueing behind each other.
// Idle workers spin briefly, then sleep on a condition variable.
class Pool {
 public:
  explicit Pool(int threads) : threads_(threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    cv_work_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int threads() const { return threads_; }
  void run(Job& job);

 private:
  void loop();
  Job* take_job();  // under mu_: a posted job with chunks left, or null

  const int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_work_, cv_done_;
  std::vector<Job*> jobs_;  // posted, possibly exhausted; guarded by mu_
  std::atomic<int> pending_{0};  // jobs_.size(), readable without mu_
  std::atomic<int> sleepers_{0};
  size_t rr_ = 0;  // round-robin start among jobs_
  bool stop_ = false;
  // Per-job count of workers inside execute(), guarded by mu_.
  struct Users {
    Job* job;
    int count;
  };
  std::vector<Users> users_;
  int users_of(Job* job) const {
    for (const Users& u : users_)
      if (u.job == job) return u.count;
    return 0;
  }
  void add_user(Job* job, int d) {
    for (auto it = users_.begin(); it != users_.end(); ++it)
      if (it->job == job) {
        if ((it->count += d) == 0) users_.erase(it);
        return;
      }
    users_.push_back({job, d});
  }
};

Job* Pool::take_job() {
  const size_t n = jobs_.size();
  for (size_t i = 0; i < n; ++i) {
    Job* j = jobs_[(rr_ + i) % n];
    if (j->has_work()) {
      rr_ = (rr_ + i + 1) % n;
      return j;
    }
  }
  return nullptr;
}

void Pool::run(Job& job) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    jobs_.push_back(&job);
    pending_.store(static_cast<int>(jobs_.size()), std::memory_order_release);
  }
  if (sleepers_.load(std::memory_order_acquire) > 0) cv_work_.notify_all();
  t_in_parallel = true;
  job.execute();
  t_in_parallel = false;
  {
    std::lock_guard<std::mutex> lk(mu_);
    jobs_.erase(std::find(jobs_.begin(), jobs_.end(), &job));  // no new users
    pending_.store(static_cast<int>(jobs_.size()), std::memory_order_release);
  }
  // The other chunks are usually about to finish: spin briefly before
  // sleeping, since a futex wake-up costs more than most jobs' tails.
  auto finished = [&] { return job.done.load(std::memory_order_acquire) == job.num_chunks; };
  if (!spin_until(finished, std::chrono::microseconds(50))) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_done_.wait(lk, finished);
  }
  // Workers may still be inside execute() (about to see no chunk left).
  std::unique_lock<std::mutex> lk(mu_);
  cv_done_.wait(lk, [&] { return users_of(&job) == 0; });
}

void Pool::loop() {
  t_in_parallel = true;
  for (;;) {
    // Spin a little while nothing is posted, then sleep.
    spin_until([&] { return pending_.load(std::memory_order_acquire) > 0; },
               std::chrono::microseconds(200));
    Job* job = nullptr;
    {
      std::unique_lock<std::mutex> lk(mu_);
      for (;;) {
        if (stop_) return;
        if ((job = take_job()) != nullptr) break;
        if (pending_.load() > 0) {  // posted but exhausted: its caller is finishing
          lk.unlock();
          std::this_thread::yield();
          lk.lock();
          if (pending_.load() > 0 && take_job() == nullptr) {
            ++sleepers_;
            cv_work_.wait_for(lk, std::chrono::microseconds(500));
            --sleepers_;
          }
          continue;
        }
        ++sleepers_;
        cv_work_.wait(lk);
        --sleepers_;
      }
      add_user(job, 1);
    }
    job->execute();
    std::lock_guard<std::mutex> lk(mu_);
    add_user(job, -1);
    cv_done_.notify_all();
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
