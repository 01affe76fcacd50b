#pragma once
/// @file
/// What every parser in the codec returns: a value, or an error naming where and what.
///
/// Parsers never throw on bad input; they hand back a `result<T>`. Builders, in contrast,
/// throw std::invalid_argument / std::length_error when asked to encode something the wire
/// format cannot carry, because that is a programming error, not bad data.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace hansim::codec {

/// A parse failure: `offset` is the byte offset (within the input the parser was given,
/// plus any base offset the caller passed) where the problem was found; `message` is a
/// complete sentence for people that already names the layer, field and offset, e.g.
/// "A-XDR: unknown type tag 0x33 at offset 57".
struct decode_error {
    std::size_t offset = 0;
    std::string message;

    friend bool operator==(const decode_error&, const decode_error&) = default;
};

/// Thrown by result<T>::value() when the result holds an error; what() is the message.
class bad_result_access : public std::runtime_error {
public:
    explicit bad_result_access(const decode_error& error) : std::runtime_error(error.message), error_(error) {}
    const decode_error& error() const noexcept { return error_; }

private:
    decode_error error_;
};

/// Either a parsed value or a decode_error (a small stand-in for C++23 std::expected).
template <class T>
class result {
public:
    template <class U = T>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, decode_error> &&
                 !std::is_same_v<std::remove_cvref_t<U>, result>)
    result(U&& value) : state_(std::in_place_index<0>, std::forward<U>(value)) {}

    result(decode_error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    /// The value; throws bad_result_access carrying the error when there is none.
    T& value() & {
        check();
        return std::get<0>(state_);
    }
    const T& value() const& {
        check();
        return std::get<0>(state_);
    }
    T&& value() && {
        check();
        return std::get<0>(std::move(state_));
    }

    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    /// The error; only meaningful when !ok() (throws std::logic_error otherwise).
    const decode_error& error() const {
        if (ok()) throw std::logic_error("result::error() called on a successful result");
        return std::get<1>(state_);
    }

private:
    void check() const {
        if (!ok()) throw bad_result_access(std::get<1>(state_));
    }

    std::variant<T, decode_error> state_;
};

}  // namespace hansim::codec
