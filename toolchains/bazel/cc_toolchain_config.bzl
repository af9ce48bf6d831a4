"""C++ toolchains for Debian's cross compilers (package g++-<triple>), for Bazel platforms.

    debian_cross_toolchain(name = "aarch64_linux_gnu", platform = "linux_aarch64",
                           triple = "aarch64-linux-gnu", cpu = "aarch64",
                           cpu_constraint = "@platforms//cpu:aarch64")

defines the platform `platform` (that cpu, Linux), <name>_cc_toolchain (the
toolchain() to register, e.g. with --extra_toolchains) and the cc_toolchain behind it, which runs
/usr/bin/<triple>-gcc. Its target_gnu_system_name is the triple, which halo_model passes to the
generator as --target. Select it with --incompatible_enable_cc_toolchain_resolution
--platforms=...: see examples/bazel/.bazelrc.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
    "with_feature_set",
)
load("@rules_cc//cc:defs.bzl", "cc_toolchain")

_COMPILE_ACTIONS = [
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
    ACTION_NAMES.linkstamp_compile,
]

_CXX_ACTIONS = [ACTION_NAMES.cpp_compile, ACTION_NAMES.cpp_header_parsing]

_LINK_ACTIONS = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

def _flags(actions, flags, features = None):
    return flag_set(
        actions = actions,
        flag_groups = [flag_group(flags = flags)],
        with_features = [with_feature_set(features = features)] if features else [],
    )

def _features():
    default_compile = feature(
        name = "default_compile_flags",
        enabled = True,
        flag_sets = [
            # Paths and dates as they are in the sandbox, never machine-specific: the outputs are
            # byte-identical across output bases, as caches need.
            _flags(_COMPILE_ACTIONS, [
                "-no-canonical-prefixes",
                "-fno-canonical-system-headers",
                "-Wno-builtin-macro-redefined",
                "-D__DATE__=\"redacted\"",
                "-D__TIMESTAMP__=\"redacted\"",
                "-D__TIME__=\"redacted\"",
                "-fstack-protector",
                "-Wall",
                # GCC's notes that the ABI of some argument passing changed in GCC 10.1.
                "-Wno-psabi",
            ]),
            _flags(_CXX_ACTIONS, ["-std=c++17"]),
            _flags(_COMPILE_ACTIONS, ["-g"], ["dbg"]),
            _flags(_COMPILE_ACTIONS, [
                "-O2",
                "-DNDEBUG",
                "-ffunction-sections",
                "-fdata-sections",
            ], ["opt"]),
        ],
    )
    default_link = feature(
        name = "default_link_flags",
        enabled = True,
        flag_sets = [
            _flags(_LINK_ACTIONS, ["-no-canonical-prefixes", "-lstdc++", "-lm"]),
            _flags(_LINK_ACTIONS, ["-Wl,--gc-sections"], ["opt"]),
        ],
    )
    return [
        feature(name = "dbg"),
        feature(name = "opt"),
        feature(name = "fastbuild"),
        feature(name = "supports_pic", enabled = True),
        feature(name = "supports_dynamic_linker", enabled = True),
        default_compile,
        default_link,
    ]

def _gcc_cross_config_impl(ctx):
    triple = ctx.attr.triple
    tools = {
        "ar": "ar",
        "cpp": "cpp",
        "dwp": "dwp",
        "gcc": "gcc",
        "gcov": "gcov",
        "ld": "ld",
        "nm": "nm",
        "objcopy": "objcopy",
        "objdump": "objdump",
        "strip": "strip",
    }
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = triple,
        host_system_name = "x86_64-linux-gnu",
        target_system_name = triple,
        target_cpu = ctx.attr.cpu,
        target_libc = "glibc",
        compiler = "gcc",
        abi_version = "gcc",
        abi_libc_version = "glibc",
        tool_paths = [
            tool_path(name = tool, path = "/usr/bin/%s-%s" % (triple, program))
            for tool, program in tools.items()
        ],
        features = _features(),
        # Where <triple>-gcc finds the C and C++ library headers (and, as Debian's multiarch
        # compilers do, the architecture-independent ones under /usr/include, e.g. Eigen).
        cxx_builtin_include_directories = [
            "/usr/lib/gcc-cross/%s" % triple,
            "/usr/%s/include" % triple,
            "/usr/include",
        ],
    )

gcc_cross_config = rule(
    implementation = _gcc_cross_config_impl,
    doc = "The CcToolchainConfigInfo of Debian's /usr/bin/<triple>-gcc.",
    attrs = {
        "cpu": attr.string(mandatory = True, doc = "Bazel's name of the target cpu."),
        "triple": attr.string(mandatory = True, doc = "e.g. aarch64-linux-gnu"),
    },
    provides = [CcToolchainConfigInfo],
)

def debian_cross_toolchain(name, platform, triple, cpu, cpu_constraint):
    """A platform, a cc_toolchain and its toolchain() for Debian's g++-<triple>.

    Args:
      name: prefix of the toolchain targets.
      platform: the name of the target platform.
      triple: the compiler's target triple (/usr/bin/<triple>-gcc).
      cpu: Bazel's name of the target cpu (the toolchain's `cpu`), e.g. "aarch64".
      cpu_constraint: the platform's cpu constraint, e.g. "@platforms//cpu:aarch64".
    """
    native.platform(
        name = platform,
        constraint_values = [cpu_constraint, "@platforms//os:linux"],
    )
    gcc_cross_config(name = name + "_config", cpu = cpu, triple = triple)
    cc_toolchain(
        name = name + "_cc",
        all_files = ":empty",
        ar_files = ":empty",
        as_files = ":empty",
        compiler_files = ":empty",
        dwp_files = ":empty",
        linker_files = ":empty",
        objcopy_files = ":empty",
        strip_files = ":empty",
        supports_param_files = 1,
        toolchain_config = ":" + name + "_config",
        toolchain_identifier = triple,
    )
    native.toolchain(
        name = name + "_cc_toolchain",
        exec_compatible_with = ["@platforms//cpu:x86_64", "@platforms//os:linux"],
        target_compatible_with = [cpu_constraint, "@platforms//os:linux"],
        toolchain = ":" + name + "_cc",
        toolchain_type = "@bazel_tools//tools/cpp:toolchain_type",
    )
