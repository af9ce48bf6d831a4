from conan import ConanFile


class EigenSystemConan(ConanFile):
    name = "eigen"
    description = "Eigen 3 headers from the system (Debian libeigen3-dev)"
    package_type = "header-library"
    python_requires = "halo-system/0.1.0"
    python_requires_extend = "halo-system.SystemPackage"
    debian = ("libeigen3-dev",)
    include_dirs = ("/usr/include/eigen3",)
