// mpi_link.cpp: Cluster and Link over Open MPI (built with MMCHECK_MPI).
// Sends are MPI_Isend from buffers kept until they complete; receives probe
// for any message (MPI_Iprobe) and take it whole (MPI_Get_count, MPI_Recv).
#include "checker/cluster.h"
#include "link.h"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <stdexcept>

#include <mpi.h>

namespace checker {

namespace {

bool g_joined = false;      // MPI_Init_thread was called
bool g_took_part = false;   // a distributed search ran here

/// mpirun (Open MPI), srun (Slurm's PMI) or another PMIx launcher started us.
bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"})
    if (std::getenv(v)) return true;
  return false;
}

class MpiLink : public detail::Link {
 public:
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  MpiLink() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  void send(int peer, int tag, std::string body) override {
    reap();
    auto p = std::make_unique<Pending>();
    p->body = std::move(body);
    MPI_Isend(p->body.data(), static_cast<int>(p->body.size()), MPI_CHAR, peer, tag, MPI_COMM_WORLD,
              &p->request);
    pending_.push_back(std::move(p));
  }
  std::optional<detail::Message> poll() override {
    reap();
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag) return std::nullopt;
    int count = 0;
    MPI_Get_count(&st, MPI_CHAR, &count);
    detail::Message m;
    m.peer = st.MPI_SOURCE;
    m.tag = st.MPI_TAG;
    m.body.resize(static_cast<std::size_t>(count));
    MPI_Recv(m.body.data(), count, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    return m;
  }
  [[noreturn]] void abort(const std::string& why) override {
    std::fprintf(stderr, "mmcheck: rank %d: %s\n", rank_, why.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 3);
    std::_Exit(3);
  }
  void flush() override {
    for (auto& p : pending_) MPI_Wait(&p->request, MPI_STATUS_IGNORE);
    pending_.clear();
  }

 private:
  struct Pending {
    std::string body;
    MPI_Request request = MPI_REQUEST_NULL;
  };
  void reap() {
    while (!pending_.empty()) {
      int done = 0;
      MPI_Test(&pending_.front()->request, &done, MPI_STATUS_IGNORE);
      if (!done) break;
      pending_.pop_front();
    }
  }
  int rank_ = 0, size_ = 1;
  std::deque<std::unique_ptr<Pending>> pending_;
};

}  // namespace

void Cluster::join(int* argc, char*** argv) {
  if (g_joined || !launched_by_mpi()) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
  g_joined = true;
  if (provided < MPI_THREAD_SERIALIZED)
    throw std::runtime_error("MPI gives no MPI_THREAD_SERIALIZED support (mmcheck's courier "
                             "thread makes the MPI calls)");
}

void Cluster::leave(int exit_code) {
  if (!g_joined) return;
  if (size() > 1 && !g_took_part) MPI_Abort(MPI_COMM_WORLD, exit_code == 0 ? 1 : exit_code);
  MPI_Finalize();
  g_joined = false;
}

int Cluster::rank() {
  if (!g_joined) return 0;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int Cluster::size() {
  if (!g_joined) return 1;
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

bool Cluster::built_with_mpi() { return true; }

namespace detail {

Link* cluster_link() {
  if (!g_joined || Cluster::size() < 2) return nullptr;
  static MpiLink link;
  g_took_part = true;
  return &link;
}

}  // namespace detail

}  // namespace checker
