// capabilities.txt is data the generator trusts: it must list exactly the
// functions the headers declare, and for the elementwise builders exactly the
// element types they accept.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "api_test_util.h"

namespace api_test {
namespace {

const std::map<std::string, odla_element_type>& all_types() {
  static const std::map<std::string, odla_element_type> types{
      {"float32", ODLA_FLOAT32}, {"float64", ODLA_FLOAT64}, {"float16", ODLA_FLOAT16},
      {"int8", ODLA_INT8},       {"uint8", ODLA_UINT8},     {"int16", ODLA_INT16},
      {"uint16", ODLA_UINT16},   {"int32", ODLA_INT32},     {"uint32", ODLA_UINT32},
      {"int64", ODLA_INT64},     {"uint64", ODLA_UINT64},   {"bool", ODLA_BOOL}};
  return types;
}

std::map<std::string, std::set<std::string>> read_capabilities() {
  std::map<std::string, std::set<std::string>> caps;
  std::ifstream in(ODLA_CAPABILITIES_FILE);
  CHECK(in.good());
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string name, type;
    if (!(words >> name) || name[0] == '#') continue;
    CHECK(caps.count(name) == 0);
    std::set<std::string>& types = caps[name];
    while (words >> type) {
      if (type == "*")
        for (const auto& entry : all_types()) types.insert(entry.first);
      else if (type != "-")
        types.insert(type);
    }
  }
  return caps;
}

// Every odla_Xxx( in the headers under include/ODLA.
std::set<std::string> declared_functions() {
  std::set<std::string> names;
  const std::regex decl(R"(\b(odla_[A-Z][A-Za-z0-9]*)\s*\()");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(ODLA_HEADER_DIR)) {
    if (entry.path().extension() != ".h") continue;
    std::ifstream in(entry.path());
    CHECK(in.good());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (std::sregex_iterator it(s.begin(), s.end(), decl), end; it != end; ++it)
      names.insert((*it)[1]);
  }
  CHECK(names.count("odla_CreateComputation") == 1);
  return names;
}

using Unary = odla_value (*)(odla_value, const odla_value_id);
using Binary = odla_value (*)(odla_value, odla_value, const odla_value_id);

#define U(f) {#f, f}
const std::map<std::string, Unary> kUnary{
    U(odla_Abs),   U(odla_Neg),      U(odla_Sign),       U(odla_Exp),      U(odla_Log),
    U(odla_Sqrt),  U(odla_Rsqrt),    U(odla_Reciprocal), U(odla_Floor),    U(odla_Ceil),
    U(odla_Round), U(odla_Erf),      U(odla_Sin),        U(odla_Cos),      U(odla_Tan),
    U(odla_ASin),  U(odla_ACos),     U(odla_ATan),       U(odla_Sinh),     U(odla_Cosh),
    U(odla_Tanh),  U(odla_ASinh),    U(odla_ACosh),      U(odla_ATanh),    U(odla_Not),
    U(odla_IsNaN), U(odla_BitwiseNot), U(odla_Relu),     U(odla_Sigmoid),  U(odla_HardSwish),
    U(odla_Softplus), U(odla_Softsign), U(odla_Mish)};
const std::map<std::string, Binary> kBinary{
    U(odla_Add),       U(odla_Sub),        U(odla_Mul),        U(odla_Div),
    U(odla_Pow),       U(odla_Max),        U(odla_Min),        U(odla_Equal),
    U(odla_NotEqual),  U(odla_Less),       U(odla_LessOrEqual), U(odla_Greater),
    U(odla_GreaterOrEqual), U(odla_And),   U(odla_Or),         U(odla_Xor),
    U(odla_BitwiseAnd), U(odla_BitwiseOr), U(odla_BitwiseXor), U(odla_PRelu)};
#undef U

void check_types(const std::string& name, const std::set<std::string>& listed,
                 odla_value (*build)(odla_value)) {
  for (const auto& [type_name, type] : all_types()) {
    Computation c;
    const bool accepted = build(arg("x", type, {2})) != nullptr;
    if (accepted != (listed.count(type_name) != 0)) {
      std::printf("%s: %s is %s but capabilities.txt says otherwise\n", name.c_str(),
                  type_name.c_str(), accepted ? "accepted" : "refused");
      ++failures();
    }
  }
}

}  // namespace

void capability_tests() {
  const auto caps = read_capabilities();
  const std::set<std::string> declared = declared_functions();
  for (const std::string& name : declared)
    if (caps.count(name) == 0) {
      std::printf("%s is declared but missing from capabilities.txt\n", name.c_str());
      ++failures();
    }
  for (const auto& entry : caps)
    if (declared.count(entry.first) == 0) {
      std::printf("%s is listed in capabilities.txt but not declared\n", entry.first.c_str());
      ++failures();
    }
  static const Unary* unary = nullptr;
  static const Binary* binary = nullptr;
  for (const auto& [name, fn] : kUnary) {
    unary = &fn;
    check_types(name, caps.at(name), [](odla_value x) { return (*unary)(x, nullptr); });
  }
  for (const auto& [name, fn] : kBinary) {
    binary = &fn;
    check_types(name, caps.at(name), [](odla_value x) { return (*binary)(x, x, nullptr); });
  }
}

}  // namespace api_test
