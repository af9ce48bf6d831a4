"""odla_runtime(): one ODLA runtime (odla/runtimes/<name>/) as a cc_library.

The arguments are the runtime's build.txt (odla/runtimes/reference/build.txt describes the keys),
written out as Starlark because a BUILD file cannot read a file; tests/e2e/integration_bazel.py
checks that odla/BUILD.bazel and every build.txt name the same folders and libraries.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

# Where the repository holding odla/ lies in the execution root: "" for the main repository,
# "external/<name>" when another workspace uses HALO as a repository.
_ROOT = Label("//odla:BUILD.bazel").workspace_root

# The flags CMake gives every runtime (odla/CMakeLists.txt, odla_runtime_options), with -O3 for
# optimized builds (`-c opt`).
_RUNTIME_COPTS = ["-std=c++17", "-Wall", "-Wextra", "-fwrapv"] + select({
    str(Label("//bazel:opt")): ["-O3"],
    "//conditions:default": [],
})

def _private_include_flags(includes):
    flags = []
    for folder in includes:
        if folder.startswith("/"):  # a system folder (e.g. /usr/include/eigen3) stays as it is
            flags.append("-isystem" + folder)
        else:
            path = "odla/runtimes/" + folder
            flags.append("-I" + (_ROOT + "/" + path if _ROOT else path))
    return flags

def odla_runtime(name, sources, includes, libraries = [], copts = [], **kwargs):
    """The ODLA runtime `name` as a cc_library, from the keys of its build.txt.

    Args:
      name: the runtime (the folder under odla/runtimes/).
      sources: folders under odla/runtimes/ whose *.cc files (not recursive) make up the library.
      includes: folders under odla/runtimes/ (or absolute system folders) on the private include
        path; users of the library see only the ODLA API headers.
      libraries: system libraries the runtime links (-l names), e.g. ["dnnl", "gomp"].
      copts: more compiler options.
      **kwargs: passed on to cc_library (visibility, tags, target_compatible_with, ...).
    """
    header_folders = []
    for folder in sources + includes:
        if not folder.startswith("/") and folder not in header_folders:
            header_folders.append(folder)
    cc_library(
        name = name,
        srcs = native.glob(["runtimes/%s/*.cc" % folder for folder in sources]) +
               native.glob(["runtimes/%s/**/*.h" % folder for folder in header_folders]),
        copts = _RUNTIME_COPTS + _private_include_flags(includes) + copts,
        linkopts = ["-pthread"] + ["-l" + lib for lib in libraries],
        deps = [":headers"],
        **kwargs
    )
