# find_package(Halo): the HALO generator and halo_add_model().
#
#   find_package(Halo REQUIRED)   # with -DHalo_DIR="$(halo --cmake-dir)" or the folder on
#                                 # CMAKE_PREFIX_PATH
#   halo_add_model(my_model MODEL model.onnx)
#
# Defines halo_add_model() (see HaloModel.cmake) and the cache variable HALO_EXECUTABLE, the
# generator found next to the Python installation that holds this file. Halo_FOUND is false when
# no generator is found.

include("${CMAKE_CURRENT_LIST_DIR}/HaloModel.cmake")

if(HALO_EXECUTABLE)
  set(Halo_FOUND TRUE)
else()
  set(Halo_FOUND FALSE)
  string(CONCAT Halo_NOT_FOUND_MESSAGE
      "the `halo` generator was not found next to ${CMAKE_CURRENT_LIST_DIR}; install the halo "
      "Python package (pip install halo) or set HALO_EXECUTABLE to the generator")
endif()
