// Links the packaged runtime: one computation created, made current and destroyed.
#include <ODLA/odla.h>

#include <cstdio>

int main() {
  odla_computation computation = nullptr;
  if (odla_CreateComputation(&computation) != ODLA_SUCCESS || computation == nullptr) {
    std::puts("odla_CreateComputation failed");
    return 1;
  }
  if (odla_DestroyComputation(computation) != ODLA_SUCCESS) {
    std::puts("odla_DestroyComputation failed");
    return 1;
  }
  std::printf("ODLA %d.%d runtime package: ok\n", ODLA_VERSION_MAJOR, ODLA_VERSION_MINOR);
  return 0;
}
