// Error handling at the C API boundary and the per-thread current
// computation. Every exported function runs its body through one of the
// guard_* helpers, so no exception ever leaves the C API.
#pragma once

#include <ODLA/odla.h>

#include <exception>
#include <new>
#include <stdexcept>
#include <string>

namespace odla_rt {

// An invalid request (bad operand, unknown id, ...), with the status to report.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, odla_status status = ODLA_INVALID_PARAM)
      : std::runtime_error(message), status_(status) {}
  odla_status status() const { return status_; }

 private:
  odla_status status_;
};

[[noreturn]] inline void fail(const std::string& message) { throw Error(message); }
inline void require(bool condition, const char* message) {
  if (!condition) fail(message);
}

void set_last_error(const std::string& message);
_odla_computation* current_computation();
void set_current_computation(_odla_computation* computation);

// Records a build error in the thread's last error and, when there is one,
// in the current computation (its first error makes execution fail).
void record_build_error(const char* function, const std::string& message);

// Maps the exception being handled to a status and records its message.
odla_status status_from_exception(const char* function);

template <class F>
odla_status guard_status(const char* function, F&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return status_from_exception(function);
  }
}

template <class F>
odla_value guard_build(const char* function, F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    record_build_error(function, "out of memory");
  } catch (const std::exception& e) {
    record_build_error(function, e.what());
  } catch (...) {
    record_build_error(function, "unknown error");
  }
  return nullptr;
}

}  // namespace odla_rt
