from conan import ConanFile


class OdlaDnnlConan(ConanFile):
    name = "odla-dnnl"
    description = "The dnnl ODLA runtime (odla/runtimes/dnnl), target odla::dnnl"
    python_requires = "odla-base/0.1.0"
    python_requires_extend = "odla-base.OdlaRuntime"
    runtime = "dnnl"
    system_requires = ("dnnl/system",)
