// cluster.h: the processes of a search spread over machines (MPI).
//
// `mpirun -np N prog` (or `srun`) starts N processes; each calls
// Cluster::join() first and Cluster::leave(code) last. explore(factory,
// options) then runs one DPOR search over all of them: rank 0 runs the
// sequential search (the master) and returns its Report; every other rank
// explores branches handed to it and returns an empty Report (rank() != 0:
// print nothing). The result on rank 0 is the one-process result: the same
// executions, verdict and first counterexample. Each process also runs
// Options::jobs threads.
//
// Invariant: a build without MPI (MMCHECK_MPI off), or a process not started
// by mpirun/srun, is a cluster of one, and nothing here changes the search.
#pragma once

namespace checker {

class Cluster {
 public:
  /// Join the job mpirun or srun started (MPI_Init_thread, serialized), if it
  /// did; otherwise stay a cluster of one. Call once, before any search.
  static void join(int* argc, char*** argv);
  /// The end of the process: MPI_Finalize after a distributed search, or
  /// MPI_Abort(exit_code) when the process ends (with an error) without
  /// having taken part in one, so the other ranks do not wait for it forever.
  static void leave(int exit_code);
  static int rank();
  static int size();
  /// True when mmcheck was built with Open MPI.
  static bool built_with_mpi();
};

}  // namespace checker
