#pragma once
/// @file
/// A file-backed source of invocation counters (IC) that never hands out the same value twice
/// for one key, even across crashes and power loss.
///
/// GCM with a repeated IV (system title || IC) under the same key leaks the XOR of two
/// plaintexts and lets an attacker forge tags, so a simulator that restarts must not start
/// again from an old counter. The store persists a *reservation high-water mark*: before it
/// issues a value at or above the mark it durably writes mark = value + block (write to a
/// temporary file, fsync, rename over the store, fsync the directory). After a crash the
/// store resumes at the persisted mark, so up to `block` values may be skipped but none is
/// repeated. flush() (also called by the destructor) writes the exact next value so a clean
/// exit skips nothing.
///
/// Use one store file per key set (and system title). The store holds an exclusive lock
/// (flock on `<path>.lock`) for its whole life, so a second store on the same file, in this or
/// another process, is refused with counter_store_in_use instead of handing out the same
/// counters twice. One object is not safe for concurrent use by several threads. This is the
/// one place in the security layer that does file I/O.

#include <cstdint>
#include <filesystem>
#include <stdexcept>

namespace hansim::security {

/// Another store (another process, or another meter of this one) holds the file: using it too
/// would repeat invocation counters. A runtime failure (exit 1), not a configuration error:
/// the same settings work once the other user has stopped.
class counter_store_in_use : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class invocation_counter_store {
public:
    /// Default number of counters reserved by one durable write.
    static constexpr std::uint32_t default_block = 1000;

    /// Opens the store at `path`, creating it (starting at `first_value`) if it does not exist.
    /// The file holds `next=<decimal>`: no value below it has been issued. Takes the lock
    /// first: throws counter_store_in_use naming the path when another store holds it. Throws
    /// std::runtime_error naming the path if the file cannot be read, is malformed or cannot
    /// be created, and std::invalid_argument for a zero `block`.
    explicit invocation_counter_store(std::filesystem::path path, std::uint32_t block = default_block,
                                      std::uint32_t first_value = 1);

    /// Flushes (errors are swallowed: call flush() yourself to see them), then releases the lock.
    ~invocation_counter_store();

    invocation_counter_store(const invocation_counter_store&) = delete;
    invocation_counter_store& operator=(const invocation_counter_store&) = delete;
    /// The moved-from store is inert (its destructor writes nothing).
    invocation_counter_store(invocation_counter_store&& other) noexcept;
    /// Flushes this store (errors swallowed), then takes over `other`.
    invocation_counter_store& operator=(invocation_counter_store&& other) noexcept;

    /// The next counter: strictly greater than every value issued before from this file.
    /// Persists a new reservation first when needed. Throws std::runtime_error naming the path
    /// if that write fails or when the 32-bit counter space is used up (the keys must be
    /// changed then).
    std::uint32_t next();

    /// The value next() would return, without issuing it. Throws like next() when exhausted.
    std::uint32_t peek() const;

    /// Makes every later next() return more than `value` (e.g. after a deliberate counter
    /// jump, so the meter continues above it). Never lowers the counter; the reservation is
    /// persisted by the next next().
    void skip_past(std::uint32_t value);

    /// Durably records the exact next value (shrinking the reservation), so a restart skips
    /// nothing. Throws std::runtime_error naming the path on failure.
    void flush();

    /// The store file.
    const std::filesystem::path& path() const { return path_; }

private:
    void persist(std::uint64_t next_value);
    void open_file(std::uint32_t first_value);
    void release() noexcept;

    std::filesystem::path path_;
    std::uint32_t block_;
    std::uint64_t next_ = 0;      ///< next value to issue; 2^32 means exhausted
    std::uint64_t reserved_ = 0;  ///< persisted mark: values below it may be issued without a write
    bool open_ = false;           ///< false once moved from
    int lock_fd_ = -1;            ///< holds the flock on `<path>.lock` while open
};

}  // namespace hansim::security
