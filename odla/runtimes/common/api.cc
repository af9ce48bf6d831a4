#include "api.h"

#include "backend.h"
#include "graph.h"

namespace odla_rt {
namespace {

thread_local std::string t_last_error;
thread_local _odla_computation* t_current = nullptr;

}  // namespace

void set_last_error(const std::string& message) { t_last_error = message; }

_odla_computation* current_computation() { return t_current; }

void set_current_computation(_odla_computation* computation) {
  t_current = computation;
}

void record_build_error(const char* function, const std::string& message) {
  try {
    const std::string text = std::string(function) + ": " + message;
    t_last_error = text;
    if (t_current != nullptr && t_current->error.empty()) t_current->error = text;
  } catch (...) {
    // Out of memory while reporting: the NULL result still signals failure.
  }
}

odla_status status_from_exception(const char* function) {
  // Called from a catch handler: the exception object (and its what())
  // outlives this function.
  odla_status status = ODLA_FAILURE;
  const char* message = "unknown error";
  try {
    throw;
  } catch (const Error& e) {
    status = e.status();
    message = e.what();
  } catch (const std::bad_alloc&) {
    status = ODLA_MEM_ERROR;
    message = "out of memory";
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
  }
  try {
    t_last_error = std::string(function) + ": " + message;
  } catch (...) {
  }
  return status;
}

}  // namespace odla_rt

extern "C" {

const char* odla_GetLastErrorMessage(void) {
  return odla_rt::t_last_error.c_str();
}

const char* odla_GetVersionString(void) {
  static const std::string version = "ODLA 0.5.0 (HALO " + odla_rt::backend().name + " runtime)";
  return version.c_str();
}

}  // extern "C"
