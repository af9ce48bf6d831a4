// A runtime's capabilities.txt against its kernel table (common/backend.h): a
// runtime other than the reference one lists exactly the ODLA functions its
// table runs natively (everything else falls back to the portable kernels); the
// reference runtime's table is empty, its builders' kernels are the portable ones.
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "backend.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s capabilities.txt\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  std::set<std::string> listed, table;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string fn;
    if (words >> fn) listed.insert(fn);
  }
  const odla_rt::Backend& b = odla_rt::backend();
  for (const auto& entry : b.kernels) table.insert(entry.first);
  int errors = 0;
  if (b.name == "reference") {
    for (const std::string& fn : table)
      std::fprintf(stderr, "reference kernel table has %s (must be empty)\n", fn.c_str()), ++errors;
  } else {
    for (const std::string& fn : listed)
      if (table.count(fn) == 0)
        std::fprintf(stderr, "%s: %s is listed but not in the kernel table\n", b.name.c_str(),
                     fn.c_str()), ++errors;
    for (const std::string& fn : table)
      if (listed.count(fn) == 0)
        std::fprintf(stderr, "%s: %s is in the kernel table but not listed\n", b.name.c_str(),
                     fn.c_str()), ++errors;
  }
  std::printf("%s: %zu functions listed, %zu in the kernel table, %d mismatches\n",
              b.name.c_str(), listed.size(), table.size(), errors);
  return errors == 0 ? 0 : 1;
}
