# halo_add_model(): compile a trained model into a static library at build time.
#
#   halo_add_model(<target>
#     MODEL <file>                    # .onnx, .pb, .tflite, .prototxt, ...
#     [WEIGHTS <file>]                # separate weights file (Caffe .caffemodel)
#     [NAME <identifier>]             # C function name; default: the model file's stem
#     [RUNTIME <name>]                # ODLA runtime to link; default: reference
#     [TARGET_TRIPLE <triple>]        # default: the host, or the cross toolchain's target
#     [INPUT_SHAPES <name:1x3x224x224>...]
#     [INPUTS <name>...] [OUTPUTS <name>...]   # compile the subgraph between these tensors
#     [LAYOUT nchw|nhwc]              # the layout of image inputs/outputs; default: the model's
#     [QUANTIZE int8 CALIBRATION <dir or .npz> [CALIBRATION_METHOD minmax|percentile]]
#                                     # int8 with calibration (the calibration files are inputs
#                                     # of the build: changing one re-runs the generator)
#     [PRECISION fp32|fp16|bf16]      # element type of the Conv/Gemm weights; default: fp32
#     [EMIT_DATA_AS_C]                # weights as C arrays instead of an ELF object
#     [OPTIONS <generator option>...])
#
# One custom command runs `halo compile`, declares every generated file as its output and depends
# on the model, the weights, the generator and what the generator lists in its depfile, so nothing
# runs again when nothing changed. <target> is a STATIC library of the generated code whose public
# include directory holds <name>.h and which links odla::<runtime>. When odla::<runtime> does not
# exist yet, the ODLA sources (`halo --odla-dir`) are added to the build once.
#
# Cache variables: HALO_EXECUTABLE (the generator), HALO_ODLA_DIR (the ODLA sources).

include_guard(GLOBAL)
if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "halo_add_model() needs CMake 3.20 or newer (DEPFILE with every generator)")
endif()
# Depfile paths relative to the custom command's binary directory, for Ninja and Makefiles alike
# (the functions below record this setting when they are defined).
cmake_policy(SET CMP0116 NEW)

function(_halo_find_executable)
  set(hints "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../.venv/bin")  # a source checkout
  # Inside an installed package: <prefix>/lib/pythonX.Y/site-packages/halo/_data/cmake.
  if(CMAKE_CURRENT_FUNCTION_LIST_DIR MATCHES "^(.*)/lib(64)?/python[0-9.]+/(site|dist)-packages/")
    list(APPEND hints "${CMAKE_MATCH_1}/bin")
  endif()
  list(APPEND hints "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../../../bin")  # pip install --target
  if(DEFINED ENV{VIRTUAL_ENV})
    list(APPEND hints "$ENV{VIRTUAL_ENV}/bin")
  endif()
  if(Python3_EXECUTABLE)
    get_filename_component(python_bin "${Python3_EXECUTABLE}" DIRECTORY)
    list(APPEND hints "${python_bin}")
  endif()
  set(doc "the HALO generator (console script `halo`)")
  find_program(HALO_EXECUTABLE halo HINTS ${hints} NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH
               DOC "${doc}")
  find_program(HALO_EXECUTABLE halo NO_CMAKE_FIND_ROOT_PATH DOC "${doc}")
endfunction()

_halo_find_executable()

# The triple the generator targets: the toolchain's, when cross-compiling; empty for the host.
function(_halo_target_triple out_var)
  set(triple "")
  if(CMAKE_CROSSCOMPILING)
    get_filename_component(compiler "${CMAKE_CXX_COMPILER}" NAME)
    if(CMAKE_CXX_COMPILER_TARGET)
      set(triple "${CMAKE_CXX_COMPILER_TARGET}")
    elseif(compiler MATCHES "^(.+-.+)-(g\\+\\+|c\\+\\+|clang\\+\\+)(-[0-9.]+)?$")
      set(triple "${CMAKE_MATCH_1}")
    elseif(CMAKE_LIBRARY_ARCHITECTURE)
      set(triple "${CMAKE_LIBRARY_ARCHITECTURE}")
    elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
      set(triple "${CMAKE_SYSTEM_PROCESSOR}-linux-gnueabihf")
    else()
      set(triple "${CMAKE_SYSTEM_PROCESSOR}-linux-gnu")
    endif()
  endif()
  set(${out_var} "${triple}" PARENT_SCOPE)
endfunction()

# Make odla::<runtime> exist, adding the ODLA sources to this build the first time.
function(_halo_require_runtime runtime)
  if(TARGET odla::${runtime})
    return()
  endif()
  if(NOT HALO_ODLA_DIR)
    execute_process(COMMAND "${HALO_EXECUTABLE}" --odla-dir OUTPUT_VARIABLE odla_dir
                    RESULT_VARIABLE status ERROR_VARIABLE error OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "halo_add_model: `${HALO_EXECUTABLE} --odla-dir` failed: ${error}")
    endif()
    set(HALO_ODLA_DIR "${odla_dir}" CACHE PATH "ODLA sources (runtimes) the models link")
  endif()
  get_property(added GLOBAL PROPERTY _HALO_ODLA_ADDED)
  if(NOT added)
    set_property(GLOBAL PROPERTY _HALO_ODLA_ADDED TRUE)
    add_subdirectory("${HALO_ODLA_DIR}" "${CMAKE_BINARY_DIR}/_halo_odla" EXCLUDE_FROM_ALL)
  endif()
  if(NOT TARGET odla::${runtime})
    message(FATAL_ERROR "halo_add_model: no ODLA runtime target odla::${runtime} "
                        "(ODLA sources: ${HALO_ODLA_DIR})")
  endif()
endfunction()

# The `halo compile` options for the parsed arguments (arg_*) and the absolute `weights` path of the
# calling halo_add_model().
function(_halo_generator_options out_var)
  set(options --name "${arg_NAME}" --runtime "${arg_RUNTIME}")
  if(weights)
    list(APPEND options --weights "${weights}")
  endif()
  if(arg_TARGET_TRIPLE)
    list(APPEND options --target "${arg_TARGET_TRIPLE}")
  endif()
  foreach(shape IN LISTS arg_INPUT_SHAPES)
    list(APPEND options --input-shape "${shape}")
  endforeach()
  foreach(input IN LISTS arg_INPUTS)
    list(APPEND options --inputs "${input}")
  endforeach()
  foreach(output IN LISTS arg_OUTPUTS)
    list(APPEND options --outputs "${output}")
  endforeach()
  if(arg_LAYOUT)
    if(NOT arg_LAYOUT MATCHES "^(nchw|nhwc)$")
      message(FATAL_ERROR "halo_add_model(${target}): LAYOUT must be nchw or nhwc, not '${arg_LAYOUT}'")
    endif()
    list(APPEND options --layout "${arg_LAYOUT}")
  endif()
  if(arg_QUANTIZE)
    if(NOT arg_QUANTIZE STREQUAL "int8")
      message(FATAL_ERROR "halo_add_model(${target}): QUANTIZE must be int8, not '${arg_QUANTIZE}'")
    endif()
    if(NOT arg_CALIBRATION)
      message(FATAL_ERROR "halo_add_model(${target}): QUANTIZE int8 needs CALIBRATION <folder of "
                          ".npy inputs or an .npz file>")
    endif()
    get_filename_component(calibration "${arg_CALIBRATION}" ABSOLUTE)
    list(APPEND options --quantize int8 --calibration "${calibration}")
    if(arg_CALIBRATION_METHOD)
      list(APPEND options --calibration-method "${arg_CALIBRATION_METHOD}")
    endif()
  elseif(arg_CALIBRATION OR arg_CALIBRATION_METHOD)
    message(FATAL_ERROR "halo_add_model(${target}): CALIBRATION goes with QUANTIZE int8")
  endif()
  if(arg_PRECISION)
    if(NOT arg_PRECISION MATCHES "^(fp32|fp16|bf16)$")
      message(FATAL_ERROR "halo_add_model(${target}): PRECISION must be fp32, fp16 or bf16, not "
                          "'${arg_PRECISION}'")
    endif()
    list(APPEND options --precision "${arg_PRECISION}")
  endif()
  set(${out_var} "${options}" PARENT_SCOPE)
endfunction()

function(halo_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "EMIT_DATA_AS_C"
                        "MODEL;WEIGHTS;NAME;RUNTIME;TARGET_TRIPLE;LAYOUT;QUANTIZE;CALIBRATION;CALIBRATION_METHOD;PRECISION"
                        "INPUT_SHAPES;INPUTS;OUTPUTS;OPTIONS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "halo_add_model(${target}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_MODEL)
    message(FATAL_ERROR "halo_add_model(${target}): MODEL <file> is required")
  endif()
  if(NOT HALO_EXECUTABLE)
    message(FATAL_ERROR "halo_add_model(${target}): the `halo` generator was not found; "
                        "install the halo Python package or set HALO_EXECUTABLE")
  endif()
  get_filename_component(model "${arg_MODEL}" ABSOLUTE)
  set(inputs "${model}")
  if(arg_WEIGHTS)
    get_filename_component(weights "${arg_WEIGHTS}" ABSOLUTE)
    list(APPEND inputs "${weights}")
  endif()
  if(NOT arg_NAME)
    get_filename_component(arg_NAME "${model}" NAME_WLE)
    string(MAKE_C_IDENTIFIER "${arg_NAME}" arg_NAME)
  endif()
  if(NOT arg_RUNTIME)
    set(arg_RUNTIME reference)
  endif()
  if(NOT arg_TARGET_TRIPLE)
    _halo_target_triple(arg_TARGET_TRIPLE)
  endif()

  _halo_generator_options(options)
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  set(header "${out_dir}/${arg_NAME}.h")
  set(code "${out_dir}/${arg_NAME}.cc")
  if(arg_EMIT_DATA_AS_C)
    list(APPEND options --emit-data-as-c)
    set(data "${out_dir}/${arg_NAME}.data.cc")
  else()
    set(data "${out_dir}/${arg_NAME}.o")
    set_source_files_properties("${data}" PROPERTIES EXTERNAL_OBJECT TRUE)
  endif()
  set(depfile "${out_dir}/${arg_NAME}.d")
  file(MAKE_DIRECTORY "${out_dir}")

  get_filename_component(model_file "${model}" NAME)
  # Ninja requires the first OUTPUT to be the depfile's first target: the generator lists the
  # files it writes sorted by name, and <name>.cc sorts first.
  add_custom_command(
    OUTPUT "${code}" "${header}" "${data}"
    COMMAND "${HALO_EXECUTABLE}" compile "${model}" -o "${out_dir}" ${options} ${arg_OPTIONS}
            --depfile "${depfile}"
    DEPENDS ${inputs} "${HALO_EXECUTABLE}"
    DEPFILE "${depfile}"
    COMMENT "HALO: compiling ${model_file} into ${arg_NAME}.h and ${arg_NAME}.cc"
    VERBATIM)

  _halo_require_runtime("${arg_RUNTIME}")
  add_library(${target} STATIC "${code}" "${data}" "${header}")
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${out_dir}>")
  # The archive of generated code needs only the ODLA headers to build; its users link the runtime.
  # (Linking the runtime PUBLIC would make the generator wait until the runtime is built.)
  target_link_libraries(${target} PRIVATE odla::headers INTERFACE odla::${arg_RUNTIME})
endfunction()
