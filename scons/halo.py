"""SCons tool for HALO: compile trained models at build time and build the ODLA runtimes.

    env = Environment(tools=["default", "halo"], toolpath=[<output of `halo --scons-dir`>])
    model = env.HaloModel("mnist_model", "mnist.onnx")     # -> mnist_model/libmnist_model.a
    odla = env.OdlaRuntime("reference")                    # -> [libodla_reference.a, -l names]
    env.Program("mnist", "main.cc", CPPPATH=["mnist_model"], LIBS=[model, *odla],
                LINKFLAGS=["-pthread"])

Builders and methods:

  env.HaloCompile(outdir, model, HALO_NAME=..., ...)
      A builder running `halo compile MODEL -o OUTDIR --name NAME ... --depfile OUTDIR/NAME.d`.
      Its emitter replaces the target by every file the generator writes: NAME.cc, NAME.h, the
      weights object NAME.o (NAME.data.cc with HALO_EMIT_DATA_AS_C=True) and the depfile NAME.d;
      the sources are the model and the weights file. Its scanner adds what the generator listed
      in the depfile of its last run (ONNX external data files, ...), so changing any of them
      runs the generator again; the command line is part of the signature too.
  env.HaloModel(name, model, **options)
      HaloCompile into folder `name`, then a static library `name/lib<name>.a` of the generated
      code (compiled against the ODLA headers). Returns the library node(s). The header
      NAME.h is in folder `name`.
  env.OdlaRuntime(runtime="reference", target=None)
      A static library of an ODLA runtime from odla/runtimes/<runtime>/build.txt, compiled with
      $ODLA_CXXFLAGS. Returns [library node, *system libraries]: a ready value for LIBS.

Options of HaloCompile/HaloModel (construction variables, also accepted as keyword arguments):
  HALO_NAME (default: the model file's stem), HALO_RUNTIME (reference), HALO_TARGET (a triple;
  default: the prefix of a cross compiler's name in $CXX, else the host), HALO_INPUT_SHAPES
  (["name:1x3x224x224", ...]), HALO_INPUTS, HALO_OUTPUTS, HALO_WEIGHTS (a Caffe .caffemodel),
  HALO_EMIT_DATA_AS_C (bool), HALO_OPTIONS (other options).

The generator: $HALO when set, else the HALO environment variable, else the `halo` next to the
Python that runs SCons, else the one of a source checkout (../.venv/bin/halo from this file), else
`halo` on PATH. The ODLA sources: $HALO_ODLA_DIR, else what `halo --odla-dir` prints.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import SCons.Builder
import SCons.Errors
import SCons.Scanner
import SCons.Util

_HERE = os.path.dirname(os.path.abspath(__file__))
_BUILD_KEYS = ("sources", "includes", "libraries", "debian")
ODLA_CXXFLAGS = ["-std=c++17", "-O3", "-fwrapv", "-pthread"]


def _find_halo(env) -> str | None:
    if env.get("HALO"):
        return env.subst("$HALO")
    if os.environ.get("HALO"):
        return os.environ["HALO"]
    candidates = [
        os.path.join(os.path.dirname(sys.executable), "halo"),
        os.path.join(_HERE, os.pardir, ".venv", "bin", "halo"),
    ]
    if os.environ.get("VIRTUAL_ENV"):
        candidates.append(os.path.join(os.environ["VIRTUAL_ENV"], "bin", "halo"))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.normpath(candidate)
    found = env.WhereIs("halo") or SCons.Util.WhereIs("halo")
    return str(found) if found else None


def _odla_dir(env) -> str:
    if not env.get("HALO_ODLA_DIR"):
        result = subprocess.run(
            [env.subst("$HALO"), "--odla-dir"], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise SCons.Errors.UserError(f"`{env['HALO']} --odla-dir` failed: {result.stderr}")
        env["HALO_ODLA_DIR"] = result.stdout.strip()
    return env.subst("$HALO_ODLA_DIR")


def runtime_build(odla_dir: str, runtime: str) -> dict[str, list[str]]:
    """The keys of odla/runtimes/<runtime>/build.txt; folders made absolute."""
    root = os.path.join(odla_dir, "runtimes")
    path = os.path.join(root, runtime, "build.txt")
    if not os.path.isfile(path):
        known = sorted(
            d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "build.txt"))
        )
        raise SCons.Errors.UserError(
            f"OdlaRuntime: no runtime '{runtime}' ({path} is missing); known: {', '.join(known)}"
        )
    fields: dict[str, list[str]] = {key: [] for key in _BUILD_KEYS}
    with open(path, encoding="utf-8") as file:
        for line in file:
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if words[0] not in fields:
                raise SCons.Errors.UserError(f"{path}: unknown key '{words[0]}'")
            fields[words[0]] += words[1:]
    fields["sources"] = [os.path.join(root, f) for f in fields["sources"]]
    fields["includes"] = [
        f if f.startswith("/") else os.path.join(root, f) for f in fields["includes"]
    ]
    return fields


def _name(env, model) -> str:
    name = env.subst("$HALO_NAME") if env.get("HALO_NAME") else ""
    if not name:
        stem = os.path.basename(str(model)).split(".", 1)[0]
        name = re.sub(r"\W", "_", stem)
        if name[:1].isdigit():
            name = "_" + name
    return name


def _emitter(target, source, env):
    outdir = env.Dir(str(target[0]))
    name = _name(env, source[0])
    data = f"{name}.data.cc" if env.get("HALO_EMIT_DATA_AS_C") else f"{name}.o"
    targets = [outdir.File(f) for f in (f"{name}.cc", f"{name}.h", data, f"{name}.d")]
    if env.get("HALO_WEIGHTS"):
        source = [*source, env.File(env.subst("$HALO_WEIGHTS"))]
    return targets, source


def _unescape(word: str) -> str:
    return re.sub(r"\\(.)", r"\1", word)


def parse_depfile(text: str) -> list[str]:
    """The prerequisites of a make-style depfile (every rule, continuation lines joined)."""
    deps: list[str] = []
    for rule in text.replace("\\\n", " ").splitlines():
        parts = re.split(r"(?<!\\):(?:\s|$)", rule, maxsplit=1)
        if len(parts) == 2:
            deps += [_unescape(w) for w in re.split(r"(?<!\\)\s+", parts[1].strip()) if w]
    return deps


def onnx_external_data(model: str) -> list[str]:
    """The external data files an ONNX model names (empty when the onnx package is missing)."""
    try:
        import onnx
        from onnx.external_data_helper import _get_all_tensors, uses_external_data
    except ImportError:
        return []
    try:
        proto = onnx.load(model, load_external_data=False)
    except Exception:  # noqa: BLE001 - a broken model is the generator's error to report
        return []
    files = set()
    for tensor in _get_all_tensors(proto):
        if uses_external_data(tensor):
            for entry in tensor.external_data:
                if entry.key == "location":
                    files.add(os.path.join(os.path.dirname(model), entry.value))
    return sorted(files)


def _depfile_scan(node, env, path):
    """What the generator listed in the depfile of its last run, and before the first run the
    external data of an ONNX model (target scanner of NAME.cc), less the explicit sources."""
    if not str(node).endswith(".cc") or str(node).endswith(".data.cc"):
        return []
    sources = {s.get_abspath() for s in node.sources}
    deps = set()
    model = node.sources[0].get_abspath()
    if model.endswith(".onnx") and os.path.isfile(model):
        deps.update(onnx_external_data(model))
    depfile = os.path.splitext(node.get_abspath())[0] + ".d"
    try:
        with open(depfile, encoding="utf-8") as file:
            deps.update(parse_depfile(file.read()))
    except OSError:
        pass
    deps = {os.path.normpath(os.path.join(env.Dir("#").abspath, d)) for d in deps}
    return [env.File(d) for d in sorted(deps - sources)]


def _cross_triple(env) -> str:
    """The triple of a cross compiler named like aarch64-linux-gnu-g++ in $CXX, else ''."""
    compiler = os.path.basename(env.subst("$CXX"))
    match = re.match(r"^(.+-.+)-(g\+\+|c\+\+|clang\+\+)(-[0-9.]+)?$", compiler)
    return match.group(1) if match else ""


def _generator_action(target, source, env, for_signature):
    name = _name(env, source[0])
    cmd = ["$HALO", "compile", "${SOURCES[0].abspath}", "-o", "${TARGET.dir.abspath}"]
    cmd += ["--name", name]
    if env.get("HALO_RUNTIME"):
        cmd += ["--runtime", "$HALO_RUNTIME"]
    if env.get("HALO_TARGET"):
        cmd += ["--target", "$HALO_TARGET"]
    elif _cross_triple(env):
        cmd += ["--target", _cross_triple(env)]
    for shape in env.Flatten(env.get("HALO_INPUT_SHAPES", [])):
        cmd += ["--input-shape", shape]
    for tensor in env.Flatten(env.get("HALO_INPUTS", [])):
        cmd += ["--inputs", tensor]
    for tensor in env.Flatten(env.get("HALO_OUTPUTS", [])):
        cmd += ["--outputs", tensor]
    if env.get("HALO_WEIGHTS"):
        cmd += ["--weights", "${SOURCES[1].abspath}"]
    if env.get("HALO_EMIT_DATA_AS_C"):
        cmd.append("--emit-data-as-c")
    cmd += ["$HALO_OPTIONS", "--depfile", "${TARGETS[3].abspath}"]
    return " ".join(cmd)


def _halo_model(env, target, source, **options):
    """HaloCompile into folder `target` plus a static library of the generated code."""
    generated = env.HaloCompile(target, source, **options)
    odla_include = os.path.join(_odla_dir(env), "include")
    lib_env = env.Clone()
    lib_env.Replace(
        CXXFLAGS=["$ODLA_CXXFLAGS"], CPPDEFINES=["NDEBUG"], CPPPATH=[generated[0].dir, odla_include]
    )
    objects = []
    for node in generated[:3]:
        path = str(node)
        if path.endswith(".cc"):  # NAME.cc.o: NAME.o may be the generator's weights object
            objects += lib_env.Object(path + lib_env.subst("$OBJSUFFIX"), node)
        elif path.endswith(lib_env.subst("$OBJSUFFIX")):
            objects.append(node)
    name = os.path.basename(str(target))
    return lib_env.StaticLibrary(os.path.join(str(target), name), objects)


def _odla_runtime(env, runtime="reference", target=None):
    """Static library of an ODLA runtime; returns [library, *system libraries] for LIBS."""
    odla_dir = _odla_dir(env)
    fields = runtime_build(odla_dir, runtime)
    build_dir = env.Dir(target or f"odla_{runtime}")
    rt_env = env.Clone()
    rt_env.Replace(
        CXXFLAGS=["$ODLA_CXXFLAGS"],
        CPPDEFINES=["NDEBUG"],
        CPPPATH=[os.path.join(odla_dir, "include"), *fields["includes"]],
    )
    root = os.path.join(odla_dir, "runtimes")
    objects = []
    for folder in fields["sources"]:
        for source in sorted(f for f in os.listdir(folder) if f.endswith(".cc")):
            path = os.path.join(folder, source)
            obj = os.path.relpath(path, root).replace(os.sep, "_")[: -len(".cc")]
            objects += rt_env.Object(build_dir.File(obj + rt_env.subst("$OBJSUFFIX")), path)
    library = rt_env.StaticLibrary(os.path.join(str(build_dir), f"odla_{runtime}"), objects)
    return [*library, *fields["libraries"]]


def generate(env):
    if not env.get("HALO"):
        halo = _find_halo(env)
        if halo is None:
            raise SCons.Errors.UserError(
                "halo tool: the `halo` generator was not found; install the halo Python package "
                "or set HALO (construction or environment variable)"
            )
        env["HALO"] = halo
    env.SetDefault(ODLA_CXXFLAGS=ODLA_CXXFLAGS, HALO_OPTIONS=[])
    env["BUILDERS"]["HaloCompile"] = SCons.Builder.Builder(
        generator=_generator_action,
        emitter=_emitter,
        target_factory=env.fs.Dir,
        source_factory=env.fs.File,
        target_scanner=SCons.Scanner.Scanner(_depfile_scan, name="HaloDepfile"),
        single_source=True,
    )
    env.AddMethod(_halo_model, "HaloModel")
    env.AddMethod(_odla_runtime, "OdlaRuntime")


def exists(env):
    return _find_halo(env) is not None
