#include "hansim/meter/fault_plan.hpp"

#include <cctype>
#include <charconv>
#include <stdexcept>

namespace hansim::meter {
namespace {

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

std::uint64_t frame_number(std::string_view text, std::string_view what) {
    text = trimmed(text);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        throw std::invalid_argument(std::string(what) + " '" + std::string(text) +
                                    "' is not a frame sequence number (0, 1, 2, …)");
    return value;
}

fault_rule parse_rule(std::string_view text) {
    const std::size_t at = text.find('@');
    if (at == std::string_view::npos)
        throw std::invalid_argument("expected FAULT@N, FAULT@A-B or FAULT@every:K");
    fault_rule rule;
    rule.fault = security::parse_cipher_fault(trimmed(text.substr(0, at)));
    const std::string_view frames = trimmed(text.substr(at + 1));
    if (frames.starts_with("every:")) {
        rule.selection = frame_selection::every;
        rule.period = frame_number(frames.substr(6), "period");
        if (rule.period == 0) throw std::invalid_argument("every:0 selects no frame; K must be at least 1");
    } else if (const std::size_t dash = frames.find('-'); dash != std::string_view::npos) {
        rule.selection = frame_selection::range;
        rule.first = frame_number(frames.substr(0, dash), "range start");
        rule.last = frame_number(frames.substr(dash + 1), "range end");
        if (rule.last < rule.first)
            throw std::invalid_argument("range end " + std::to_string(rule.last) + " is before its start " +
                                        std::to_string(rule.first));
    } else {
        rule.first = frame_number(frames, "frame");
    }
    return rule;
}

}  // namespace

bool fault_rule::selects(std::uint64_t sequence) const {
    switch (selection) {
        case frame_selection::single: return sequence == first;
        case frame_selection::range: return sequence >= first && sequence <= last;
        case frame_selection::every: return period != 0 && sequence != 0 && sequence % period == 0;
    }
    return false;
}

std::uint64_t fault_rule::first_selected() const { return selection == frame_selection::every ? period : first; }

std::string to_string(const fault_rule& rule) {
    std::string text(security::to_string(rule.fault));
    switch (rule.selection) {
        case frame_selection::single: return text + "@" + std::to_string(rule.first);
        case frame_selection::range:
            return text + "@" + std::to_string(rule.first) + "-" + std::to_string(rule.last);
        case frame_selection::every: return text + "@every:" + std::to_string(rule.period);
    }
    return text;
}

std::string to_string(const fault_plan& plan) {
    std::string text;
    for (const auto& rule : plan) text += (text.empty() ? "" : ",") + to_string(rule);
    return text;
}

fault_plan parse_fault_plan(std::string_view text) {
    fault_plan plan;
    if (trimmed(text).empty()) return plan;
    std::size_t from = 0;
    for (std::size_t index = 1;; ++index) {
        const std::size_t comma = text.find(',', from);
        const std::string_view entry =
            trimmed(text.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from));
        try {
            if (entry.empty()) throw std::invalid_argument("empty rule (two commas or a trailing comma)");
            plan.push_back(parse_rule(entry));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("fault " + std::to_string(index) + " '" + std::string(entry) + "': " + e.what());
        }
        if (comma == std::string_view::npos) return plan;
        from = comma + 1;
    }
}

std::optional<security::cipher_fault> fault_for(const fault_plan& plan, std::uint64_t sequence) {
    for (const auto& rule : plan)
        if (rule.selects(sequence)) return rule.fault;
    return std::nullopt;
}

void validate(const fault_plan& plan, security::security_policy policy) {
    using security::cipher_fault;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const fault_rule& rule = plan[i];
        const std::string who = "fault " + std::to_string(i + 1) + " '" + to_string(rule) + "': ";
        if (policy == security::security_policy::none)
            throw std::invalid_argument(who + "ciphering faults need security encrypt, authenticate or "
                                              "encrypt+authenticate (security is none)");
        const bool needs_tag = rule.fault == cipher_fault::wrong_authentication_key ||
                               rule.fault == cipher_fault::corrupted_tag;
        if (needs_tag && policy == security::security_policy::encrypt)
            throw std::invalid_argument(who + "has no effect with security encrypt (SC 0x20 carries no tag)");
        const bool needs_previous = rule.fault == cipher_fault::counter_stuck ||
                                    rule.fault == cipher_fault::counter_backwards;
        if (needs_previous && rule.first_selected() == 0)
            throw std::invalid_argument(who + "frame 0 has no previous frame whose counter it could repeat or undercut");
    }
}

}  // namespace hansim::meter
