// The tool package is a build tool: this program only proves that the consumer build ran.
#include <cstdio>

int main() {
  std::puts("halo tool package: ok");
  return 0;
}
