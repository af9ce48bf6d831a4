from conan import ConanFile


class XnnpackSystemConan(ConanFile):
    name = "xnnpack"
    description = "XNNPACK and pthreadpool from the system (Debian libxnnpack-dev)"
    python_requires = "halo-system/0.1.0"
    python_requires_extend = "halo-system.SystemPackage"
    debian = ("libxnnpack-dev", "libpthreadpool-dev")
    system_libs = ("XNNPACK", "pthreadpool")
