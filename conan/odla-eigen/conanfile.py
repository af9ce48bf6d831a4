from conan import ConanFile


class OdlaEigenConan(ConanFile):
    name = "odla-eigen"
    description = "The eigen ODLA runtime (odla/runtimes/eigen), target odla::eigen"
    python_requires = "odla-base/0.1.0"
    python_requires_extend = "odla-base.OdlaRuntime"
    runtime = "eigen"
    system_requires = ("eigen/system",)
