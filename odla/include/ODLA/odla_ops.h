/* All ODLA operator builders. */
#ifndef ODLA_ODLA_OPS_H_
#define ODLA_ODLA_OPS_H_

#include <ODLA/ops/odla_ops_basic.h>
#include <ODLA/ops/odla_ops_math.h>
#include <ODLA/ops/odla_ops_nn.h>
#include <ODLA/ops/odla_ops_process.h>
#include <ODLA/ops/odla_ops_ext.h>
#include <ODLA/ops/odla_ops_quant.h>

#endif /* ODLA_ODLA_OPS_H_ */
