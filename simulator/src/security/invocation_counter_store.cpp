#include "hansim/security/invocation_counter_store.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace hansim::security {
namespace {

constexpr std::uint64_t counter_space = std::uint64_t{1} << 32;

std::runtime_error store_error(const std::filesystem::path& path, const std::string& what) {
    return std::runtime_error("invocation counter store " + path.string() + ": " + what);
}

std::string errno_text() { return std::strerror(errno); }

/// Reads `next=<decimal>` (comments with '#', blank lines allowed).
std::uint64_t read_next_value(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw store_error(path, "cannot open for reading");
    std::string line;
    std::optional<std::uint64_t> value;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line.front() == '#') continue;
        const std::string at = "line " + std::to_string(number) + ": ";
        if (line.rfind("next=", 0) != 0) throw store_error(path, at + "expected next=<decimal>");
        if (value) throw store_error(path, at + "next given twice");
        std::uint64_t v = 0;
        const char* first = line.data() + 5;
        const char* last = line.data() + line.size();
        const auto [end, ec] = std::from_chars(first, last, v);
        if (ec != std::errc() || end != last || first == last)
            throw store_error(path, at + "next must be a decimal number");
        if (v > counter_space) throw store_error(path, at + "next exceeds the 32-bit counter space");
        value = v;
    }
    if (in.bad()) throw store_error(path, "read error");
    if (!value) throw store_error(path, "no next=<decimal> line (empty or truncated file)");
    return *value;
}

void write_all(int fd, const std::string& text, const std::filesystem::path& tmp) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw store_error(tmp, "write failed: " + errno_text());
        }
        done += static_cast<std::size_t>(n);
    }
}

/// Opens `<path>.lock` and takes an exclusive flock on it without waiting. The store file
/// itself is replaced by rename on every write, so the lock lives on a file that stays put.
/// The lock file is left behind on purpose: removing it would let a third process lock a new
/// inode while the second still holds the old one.
int lock_store(const std::filesystem::path& path) {
    std::filesystem::path lock_path = path;
    lock_path += ".lock";
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw store_error(path, "cannot open the lock file " + lock_path.string() + ": " + errno_text());
    int locked = 0;
    do {
        locked = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (locked != 0 && errno == EINTR);
    if (locked != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EWOULDBLOCK)
            throw counter_store_in_use(
                "invocation counter store " + path.string() +
                ": in use by another hansim (another process, or another meter of this run); two users of one "
                "store would send the same invocation counters. Give each meter its own store file (and serial, from which "
                "its system title comes)");
        throw store_error(path, "cannot lock " + lock_path.string() + ": " + std::strerror(error));
    }
    return fd;
}

}  // namespace

invocation_counter_store::invocation_counter_store(std::filesystem::path path, std::uint32_t block,
                                                   std::uint32_t first_value)
    : path_(std::move(path)), block_(block) {
    if (block_ == 0) throw std::invalid_argument("invocation counter store " + path_.string() + ": block must be > 0");
    lock_fd_ = lock_store(path_);
    try {
        open_file(first_value);
    } catch (...) {
        release();
        throw;
    }
    open_ = true;
}

void invocation_counter_store::open_file(std::uint32_t first_value) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path_, ec);
    if (ec) throw store_error(path_, "cannot check for the file: " + ec.message());
    if (exists) {
        next_ = read_next_value(path_);
    } else {
        next_ = first_value;
        persist(next_);
    }
    reserved_ = next_;
}

void invocation_counter_store::release() noexcept {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // closing the only descriptor drops the flock
    lock_fd_ = -1;
}

invocation_counter_store::~invocation_counter_store() {
    if (open_) {
        try {
            flush();
        } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; the reservation still holds
        }
    }
    release();
}

invocation_counter_store::invocation_counter_store(invocation_counter_store&& other) noexcept
    : path_(std::move(other.path_)),
      block_(other.block_),
      next_(other.next_),
      reserved_(other.reserved_),
      open_(std::exchange(other.open_, false)),
      lock_fd_(std::exchange(other.lock_fd_, -1)) {}

invocation_counter_store& invocation_counter_store::operator=(invocation_counter_store&& other) noexcept {
    if (this != &other) {
        if (open_) {
            try {
                flush();
            } catch (...) {  // NOLINT(bugprone-empty-catch): the reservation still holds
            }
        }
        release();
        path_ = std::move(other.path_);
        block_ = other.block_;
        next_ = other.next_;
        reserved_ = other.reserved_;
        open_ = std::exchange(other.open_, false);
        lock_fd_ = std::exchange(other.lock_fd_, -1);
    }
    return *this;
}

std::uint32_t invocation_counter_store::peek() const {
    if (next_ >= counter_space)
        throw store_error(path_, "invocation counter space exhausted (all 2^32 values used); change the keys");
    return static_cast<std::uint32_t>(next_);
}

std::uint32_t invocation_counter_store::next() {
    const std::uint32_t value = peek();
    if (next_ >= reserved_) {
        const std::uint64_t mark = std::min(next_ + block_, counter_space);
        persist(mark);
        reserved_ = mark;
    }
    ++next_;
    return value;
}

void invocation_counter_store::skip_past(std::uint32_t value) {
    next_ = std::max<std::uint64_t>(next_, std::uint64_t{value} + 1);
}

void invocation_counter_store::flush() {
    if (!open_) return;
    persist(next_);
    reserved_ = next_;
}

void invocation_counter_store::persist(std::uint64_t next_value) {
    std::ostringstream text;
    text << "# hansim invocation counter store: no counter below `next` has been issued\n"
         << "next=" << next_value << "\n";

    std::filesystem::path tmp = path_;
    tmp += ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw store_error(path_, "cannot create " + tmp.string() + ": " + errno_text());
    try {
        write_all(fd, text.str(), tmp);
        if (::fsync(fd) != 0) throw store_error(path_, "fsync of " + tmp.string() + " failed: " + errno_text());
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (::close(fd) != 0) throw store_error(path_, "close of " + tmp.string() + " failed: " + errno_text());
    if (::rename(tmp.c_str(), path_.c_str()) != 0)
        throw store_error(path_, "rename from " + tmp.string() + " failed: " + errno_text());

    // Make the rename itself durable.
    std::filesystem::path dir = path_.parent_path();
    if (dir.empty()) dir = ".";
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) throw store_error(path_, "cannot open directory " + dir.string() + ": " + errno_text());
    const int synced = ::fsync(dir_fd);
    const std::string sync_error = synced != 0 ? errno_text() : std::string();
    ::close(dir_fd);
    if (synced != 0) throw store_error(path_, "fsync of directory " + dir.string() + " failed: " + sync_error);
}

}  // namespace hansim::security
