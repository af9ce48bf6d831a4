from conan import ConanFile


class OdlaXnnpackConan(ConanFile):
    name = "odla-xnnpack"
    description = "The xnnpack ODLA runtime (odla/runtimes/xnnpack), target odla::xnnpack"
    python_requires = "odla-base/0.1.0"
    python_requires_extend = "odla-base.OdlaRuntime"
    runtime = "xnnpack"
    system_requires = ("xnnpack/system",)
