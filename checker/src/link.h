// link.h: Link, the messages between the processes of a distributed search,
// as the hand-out (parallel.cpp) sees them: ranks, tags and text bodies. One
// thread per process uses it (the pool's courier); the MPI implementation is
// mpi_link.cpp, and a build without MPI has none (cluster_link() is null).
//
// Invariant: messages between two ranks arrive in the order they were sent.
#pragma once

#include <optional>
#include <string>

namespace checker::detail {

struct Message {
  int peer = 0;  ///< the sender (received) or the receiver (sent)
  int tag = 0;
  std::string body;
};

class Link {
 public:
  virtual ~Link() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Queue a message; it leaves while the caller goes on.
  virtual void send(int peer, int tag, std::string body) = 0;
  /// A message that has arrived, if any (never blocks).
  virtual std::optional<Message> poll() = 0;
  /// Wait until every message queued by send() has left.
  virtual void flush() = 0;
  /// End every process of the job at once, after "mmcheck: <why>" on stderr
  /// (a fault no process can recover from: the others would wait forever).
  [[noreturn]] virtual void abort(const std::string& why) = 0;
};

/// The link of this process's cluster, or nullptr for a cluster of one.
/// Marks the process as having taken part in a distributed search.
Link* cluster_link();

}  // namespace checker::detail
