"""Bazel rules for HALO: compile a trained model into C++ at build time.

    load("@halo//bazel:halo_rules.bzl", "halo_cc_model")

    halo_cc_model(
        name = "mnist_model",         # a cc_library: #include "mnist.h", links @halo//odla:reference
        model = "mnist.onnx",
    )

    cc_binary(name = "app", srcs = ["main.cc"], deps = [":mnist_model"])

`halo_model` is the rule: one action runs the generator (//bazel:halo_generator, built for the
exec configuration) on the model and declares exactly what it writes, NAME.h, NAME.cc and the
weights NAME.o (an ELF object for the target; NAME.data.cc with emit_data_as_c). The generator is
always told the target triple (from the C++ toolchain of the target configuration, see
_target_triple), so the outputs depend only on the declared inputs and options: the same on every
machine, which is what Bazel's disk and remote caches need. `halo_cc_model` wraps those outputs in
a cc_library that depends on the ODLA runtime's cc_library (odla/BUILD.bazel).
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("@rules_cc//cc:defs.bzl", "cc_library")

# The `cpu` of a C++ toolchain whose target_gnu_system_name is not a triple (the host toolchain
# Bazel configures by itself says "local") -> the target triple.
_CPU_TRIPLES = {
    "aarch64": "aarch64-linux-gnu",
    "arm": "arm-linux-gnueabihf",
    "arm64": "aarch64-linux-gnu",
    "armeabi-v7a": "arm-linux-gnueabihf",
    "armv7": "arm-linux-gnueabihf",
    "i686": "i686-linux-gnu",
    "k8": "x86_64-linux-gnu",
    "piii": "i686-linux-gnu",
    "riscv64": "riscv64-linux-gnu",
    "x86_64": "x86_64-linux-gnu",
}

_IDENTIFIER_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

def c_identifier(text):
    """The C name the generator derives from a file stem: other characters become '_'."""
    name = "".join([c if c in _IDENTIFIER_CHARS else "_" for c in text.elems()])
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = "m_" + name
    return name

def _stem(file):
    base = file.basename
    dot = base.rfind(".")
    return base[:dot] if dot > 0 else base

def _target_triple(ctx):
    """The triple the weights object is written for: the `target` attribute, else the target
    configuration's C++ toolchain's (its target_gnu_system_name, or the triple of its cpu)."""
    if ctx.attr.target:
        return ctx.attr.target
    cc_toolchain = find_cpp_toolchain(ctx)
    system = cc_toolchain.target_gnu_system_name
    if system.count("-") >= 2:
        return system
    triple = _CPU_TRIPLES.get(cc_toolchain.cpu)
    if not triple:
        fail(("%s: cannot tell the target triple of the C++ toolchain (cpu '%s', system '%s'); " +
              "set target = \"<triple>\", e.g. \"aarch64-linux-gnu\"") %
             (ctx.label, cc_toolchain.cpu, system))
    return triple

def _halo_model_impl(ctx):
    name = ctx.attr.model_name or c_identifier(_stem(ctx.file.model))
    folder = ctx.label.name + "/"
    header = ctx.actions.declare_file(folder + name + ".h")
    code = ctx.actions.declare_file(folder + name + ".cc")
    data_suffix = ".data.cc" if ctx.attr.emit_data_as_c else ".o"
    data = ctx.actions.declare_file(folder + name + data_suffix)

    inputs = [ctx.file.model]
    args = ctx.actions.args()
    args.add("compile")
    args.add(ctx.file.model)
    args.add("-o", header.dirname)
    args.add("--name", name)
    args.add("--runtime", ctx.attr.runtime)
    args.add("--target", _target_triple(ctx))
    if ctx.file.weights:
        inputs.append(ctx.file.weights)
        args.add("--weights", ctx.file.weights)
    args.add_all(ctx.attr.input_shapes, before_each = "--input-shape")
    args.add_all(ctx.attr.inputs, before_each = "--inputs")
    args.add_all(ctx.attr.outputs, before_each = "--outputs")
    frozen = {input_name: target for target, input_name in ctx.attr.freeze_inputs.items()}
    for input_name in sorted(frozen):
        for file in frozen[input_name].files.to_list():
            inputs.append(file)
            args.add("--freeze-input", "%s=%s" % (input_name, file.path))
    if ctx.attr.layout:
        args.add("--layout", ctx.attr.layout)
    if ctx.attr.emit_data_as_c:
        args.add("--emit-data-as-c")
    args.add_all(ctx.attr.options)

    outputs = [header, code, data]
    ctx.actions.run(
        executable = ctx.executable._generator,
        arguments = [args],
        inputs = inputs,
        outputs = outputs,
        mnemonic = "HaloCompile",
        progress_message = "HALO: compiling %s into %s.h and %s.cc" % (
            ctx.file.model.short_path,
            name,
            name,
        ),
        # PATH, for the interpreter of the generator (see //bazel:halo_generator).
        use_default_shell_env = True,
    )
    return [
        DefaultInfo(files = depset(outputs)),
        OutputGroupInfo(
            halo_header = depset([header]),
            halo_sources = depset([code, data]),
        ),
    ]

halo_model = rule(
    implementation = _halo_model_impl,
    doc = "Runs the HALO generator on a model: NAME.h, NAME.cc and NAME.o (the weights, an " +
          "ELF object for the target) in the folder <target name>/ of the package's output.",
    attrs = {
        "model": attr.label(
            doc = "The model file: .onnx, .pb, .tflite, .prototxt.",
            allow_single_file = True,
            mandatory = True,
        ),
        "weights": attr.label(
            doc = "A separate weights file (the .caffemodel of a .prototxt).",
            allow_single_file = True,
        ),
        "model_name": attr.string(
            doc = "The C name of the model function and of the files; default: the model " +
                  "file's stem as a C identifier.",
        ),
        "runtime": attr.string(
            doc = "The ODLA runtime whose capabilities the generated code may use.",
            default = "reference",
        ),
        "target": attr.string(
            doc = "The target triple of the weights object; default: the target configuration's " +
                  "C++ toolchain's.",
        ),
        "input_shapes": attr.string_list(doc = "--input-shape NAME:DIMS overrides."),
        "inputs": attr.string_list(doc = "Compile the subgraph starting at these tensors."),
        "outputs": attr.string_list(doc = "Compile the subgraph ending at these tensors."),
        "freeze_inputs": attr.label_keyed_string_dict(
            doc = "A .npy file -> the model input it replaces with a constant.",
            allow_files = [".npy"],
        ),
        "layout": attr.string(values = ["", "nchw", "nhwc"]),
        "emit_data_as_c": attr.bool(
            doc = "The weights as C arrays (NAME.data.cc) instead of an ELF object.",
        ),
        "options": attr.string_list(doc = "More `halo compile` options (no file arguments)."),
        "_generator": attr.label(
            default = Label("//bazel:halo_generator"),
            executable = True,
            cfg = "exec",
        ),
        "_cc_toolchain": attr.label(
            default = Label("@bazel_tools//tools/cpp:current_cc_toolchain"),
        ),
    },
    fragments = ["cpp"],
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
)

def halo_cc_model(
        name,
        model,
        runtime = "reference",
        runtime_library = None,
        visibility = None,
        tags = [],
        testonly = False,
        **kwargs):
    """A cc_library of the model compiled by HALO: `#include "NAME.h"`, linking the runtime.

    Args:
      name: the cc_library.
      model: the model file.
      runtime: the ODLA runtime: reference, eigen, dnnl or xnnpack.
      runtime_library: the runtime's cc_library; default @halo//odla:<runtime>.
      visibility: of the cc_library (the targets it is made of are private).
      tags: of every target.
      testonly: of every target.
      **kwargs: halo_model's attributes (weights, model_name, target, input_shapes, inputs,
        outputs, freeze_inputs, layout, emit_data_as_c, options).
    """
    generated = name + "_halo"
    halo_model(
        name = generated,
        model = model,
        runtime = runtime,
        visibility = ["//visibility:private"],
        tags = tags,
        testonly = testonly,
        **kwargs
    )
    for group in ("header", "sources"):
        native.filegroup(
            name = "%s_%s" % (generated, group),
            srcs = [":" + generated],
            output_group = "halo_" + group,
            visibility = ["//visibility:private"],
            tags = tags,
            testonly = testonly,
        )
    cc_library(
        name = name,
        hdrs = [":%s_header" % generated],
        srcs = [":%s_sources" % generated],
        includes = [generated],
        deps = [runtime_library or str(Label("//odla:" + runtime))],
        visibility = visibility,
        tags = tags,
        testonly = testonly,
    )
