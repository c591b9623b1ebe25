// no_mpi_link.cpp: Cluster in a build without MPI: always a cluster of one.
#include "checker/cluster.h"
#include "link.h"

namespace checker {

void Cluster::join(int*, char***) {}
void Cluster::leave(int) {}
int Cluster::rank() { return 0; }
int Cluster::size() { return 1; }
bool Cluster::built_with_mpi() { return false; }

namespace detail {
Link* cluster_link() { return nullptr; }
}  // namespace detail

}  // namespace checker
