from conan import ConanFile


class DnnlSystemConan(ConanFile):
    name = "dnnl"
    description = "oneDNN from the system (Debian libdnnl-dev)"
    python_requires = "halo-system/0.1.0"
    python_requires_extend = "halo-system.SystemPackage"
    debian = ("libdnnl-dev",)
    system_libs = ("dnnl",)
