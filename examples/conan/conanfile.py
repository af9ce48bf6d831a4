"""The MNIST example (examples/mnist) built from Conan packages: the halo tool package compiles
mnist.onnx with halo_add_model(), the ODLA runtime package chosen by `-o &:runtime=<name>` runs it.

    conan build examples/conan -o "&:runtime=xnnpack" --build=missing
    conan build examples/conan -o "&:runtime=xnnpack" -pr:h toolchains/aarch64.profile -pr:b default \
      -c user.halo:target_root=$PWD/build/sysroot-arm64 --build=missing
"""

from __future__ import annotations

from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout

from conan import ConanFile

RUNTIMES = ["reference", "dnnl", "xnnpack", "eigen"]


class MnistConan(ConanFile):
    name = "halo-mnist"
    version = "0.1.0"
    package_type = "application"
    settings = "os", "arch", "compiler", "build_type"
    options = {"runtime": RUNTIMES}
    default_options = {"runtime": "reference"}

    def requirements(self) -> None:
        self.requires(f"odla-{self.options.runtime}/0.1.0")

    def build_requirements(self) -> None:
        self.tool_requires("halo/0.1.0")

    def layout(self) -> None:
        cmake_layout(self)

    def generate(self) -> None:
        tc = CMakeToolchain(self)
        tc.cache_variables["HALO_RUNTIME"] = str(self.options.runtime)
        # Target libraries unpacked for a cross build (conan/system/base): for the toolchain file.
        root = self.conf.get("user.halo:target_root", check_type=str)
        if root:
            tc.cache_variables["HALO_TARGET_ROOT"] = root
        tc.generate()
        deps = CMakeDeps(self)
        deps.build_context_activated = ["halo"]  # find_package(Halo): the tool package
        deps.build_context_build_modules = ["halo"]  # ... and its HaloModel.cmake
        deps.generate()

    def build(self) -> None:
        cmake = CMake(self)
        cmake.configure()
        cmake.build()
