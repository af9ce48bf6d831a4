// Arguments, constants, outputs and value queries.
#include <algorithm>
#include <string>

#include "builder.h"

using odla_rt::fail;
using odla_rt::guard_build;
using odla_rt::guard_status;

namespace {

odla_rt::TensorType checked_type(const odla_value_type& t) {
  if (!odla_rt::is_supported(t.element_type)) odla_rt::throw_unsupported(t.element_type);
  return {t.element_type, odla_rt::to_dims(t.shape, "value type")};
}

odla_status mark_output(odla_value value) {
  _odla_computation& comp = odla_rt::current();
  odla_rt::operand(value, "value");
  auto& outs = comp.outputs;
  if (std::find(outs.begin(), outs.end(), value) == outs.end()) {
    outs.push_back(value);
    comp.graph_changed();
  }
  return ODLA_SUCCESS;
}

}  // namespace

extern "C" {

odla_value odla_CreateArgument(const odla_value_type value_type,
                               const odla_value_id value_id) {
  return guard_build(__func__, [&] {
    _odla_computation& comp = odla_rt::current();
    odla_value v = comp.add_value(reinterpret_cast<const char*>(value_id),
                                  checked_type(value_type),
                                  odla_rt::ValueKind::kArgument);
    comp.arguments.push_back(v);
    comp.graph_changed();
    return v;
  });
}

odla_value odla_CreateConstant(const odla_value_type value_type,
                               const odla_void* data_ptr,
                               const odla_value_id value_id) {
  return guard_build(__func__, [&] {
    _odla_computation& comp = odla_rt::current();
    odla_rt::TensorType type = checked_type(value_type);
    if (data_ptr == nullptr && type.numel() != 0) fail("constant data is NULL");
    odla_value v = comp.add_value(reinterpret_cast<const char*>(value_id),
                                  std::move(type), odla_rt::ValueKind::kConstant);
    v->constant_data = data_ptr;
    return v;
  });
}

odla_status odla_SetValueAsOutput(odla_value value) {
  return guard_status(__func__, [&] { return mark_output(value); });
}

odla_status odla_SetValuesAsOutput(odla_values values) {
  return guard_status(__func__, [&] {
    if (values.size > ODLA_MAX_OUTPUTS) fail("values.size exceeds ODLA_MAX_OUTPUTS");
    for (size_t i = 0; i < values.size; ++i) mark_output(values.values[i]);
    return ODLA_SUCCESS;
  });
}

odla_status odla_SetValueAsOutputById(const odla_value_id value_id) {
  return guard_status(__func__, [&] {
    if (value_id == nullptr) fail("value id is NULL");
    const char* id = reinterpret_cast<const char*>(value_id);
    auto& by_id = odla_rt::current().by_id;
    auto it = by_id.find(id);
    if (it == by_id.end()) fail(std::string("no value with id '") + id + "'");
    return mark_output(it->second);
  });
}

odla_status odla_GetValueType(const odla_value value, odla_value_type* value_type) {
  return guard_status(__func__, [&] {
    if (value == nullptr || value_type == nullptr) fail("NULL argument");
    *value_type = odla_value_type{};
    value_type->element_type = value->type.dtype;
    value_type->shape.size = value->type.rank();
    std::copy(value->type.dims.begin(), value->type.dims.end(), value_type->shape.dims);
    return ODLA_SUCCESS;
  });
}

odla_status odla_GetValueId(const odla_value value, odla_value_id* value_id) {
  return guard_status(__func__, [&] {
    if (value == nullptr || value_id == nullptr) fail("NULL argument");
    *value_id = reinterpret_cast<odla_value_id>(const_cast<char*>(value->id.c_str()));
    return ODLA_SUCCESS;
  });
}

odla_status odla_FindValueById(const odla_value_id value_id, odla_value* value) {
  return guard_status(__func__, [&] {
    if (value_id == nullptr || value == nullptr) fail("NULL argument");
    const char* id = reinterpret_cast<const char*>(value_id);
    auto& by_id = odla_rt::current().by_id;
    auto it = by_id.find(id);
    if (it == by_id.end()) fail(std::string("no value with id '") + id + "'");
    *value = it->second;
    return ODLA_SUCCESS;
  });
}

}  // extern "C"
