from conan import ConanFile


class OdlaReferenceConan(ConanFile):
    name = "odla-reference"
    description = "The reference ODLA runtime (odla/runtimes/reference), target odla::reference"
    python_requires = "odla-base/0.1.0"
    python_requires_extend = "odla-base.OdlaRuntime"
    runtime = "reference"
