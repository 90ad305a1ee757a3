/* MPI (Open MPI's libmpi, pkg-config ompi-c) for the CConvKitMPI shim; part of the build only
 * with the MPI trait (swift build --traits MPI). */
#include <mpi.h>
