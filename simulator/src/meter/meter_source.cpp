#include "hansim/meter/meter_source.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "hansim/meter/hdlc_push.hpp"
#include "hansim/meter/live_source.hpp"
#include "hansim/meter/meter_model.hpp"
#include "hansim/meter/nve_list1.hpp"
#include "hansim/meter/nve_list2.hpp"
#include "hansim/meter/p1_profile.hpp"
#include "hansim/meter/p1_telegram.hpp"
#include "hansim/security/p1_cipher.hpp"
#include "hansim/meter/push1.hpp"
#include "hansim/meter/timeline.hpp"
#include "hansim/security/counter_monitor.hpp"
#include "hansim/security/glo_cipher.hpp"
#include "hansim/security/security_policy.hpp"

namespace hansim::meter {

using namespace std::chrono;

namespace {

/// The plaintext APDU of a HAN push (not for P1, which has no APDU).
codec::bytes build_push_apdu(push_kind kind, const snapshot& values, const meter_config& config) {
    switch (kind) {
        case push_kind::list1: return build_nve_list1_apdu(values, config.list);
        case push_kind::list2: return build_nve_list2_apdu(values, config.list);
        case push_kind::push1: return build_push1_apdu(values, config.list);
        case push_kind::p1: break;
    }
    throw std::logic_error("meter source: P1 telegrams have no APDU");
}

void require_keys(const meter_config& config, const security::security_keys* keys) {
    if (!keys)
        throw std::invalid_argument("security: policy " + std::string(security::to_string(config.security)) +
                                    " needs keys (key file or environment)");
}

}  // namespace

codec::bytes build_push_wire(push_kind kind, const snapshot& values, const meter_config& config,
                             const security::security_keys* keys, std::uint32_t invocation_counter) {
    if (kind == push_kind::p1) {
        const p1_telegram_writer* writer = find_p1_telegram_writer(config.p1_profile);
        const std::string telegram =
            writer ? writer->build(values, config.p1_ident.empty() ? std::string_view(writer->profile().ident)
                                                                   : std::string_view(config.p1_ident))
                   : build_p1_telegram(values, p1_profile_of(config));  // p1_profile_of names the unknown profile
        if (config.security == security::security_policy::none) return codec::bytes(telegram.begin(), telegram.end());
        require_keys(config, keys);
        return security::p1_protect(telegram, keys->encryption_key, values.identity.system_title, invocation_counter,
                                    config.p1_fixed_authentication_key ? security::luxembourg_authentication_key
                                                                       : keys->authentication_key);
    }
    const codec::bytes apdu = build_push_apdu(kind, values, config);
    if (config.security == security::security_policy::none) return frame_push_apdu(apdu, plain_push_addressing());
    require_keys(config, keys);
    const codec::bytes ciphered = security::glo_protect(apdu, *keys, values.identity.system_title, invocation_counter,
                                                        security::security_control_for(config.security));
    return frame_push_apdu(ciphered, ciphered_push_addressing());
}

security::faulty_apdu build_faulty_push_wire(security::cipher_fault fault, push_kind kind, const snapshot& values,
                                             const meter_config& config, const security::security_keys* keys,
                                             std::uint32_t invocation_counter,
                                             std::optional<std::uint32_t> previous_counter, std::uint32_t counter_jump) {
    if (kind == push_kind::p1 || config.security == security::security_policy::none)
        throw std::invalid_argument("faults: " + std::string(security::to_string(fault)) +
                                    " needs a ciphered HAN push (security is none or the push is a P1 telegram)");
    require_keys(config, keys);
    const codec::bytes apdu = build_push_apdu(kind, values, config);
    security::fault_request request;
    request.plaintext_apdu = apdu;
    request.keys = *keys;
    request.title = values.identity.system_title;
    request.invocation_counter = invocation_counter;
    request.security_control = security::security_control_for(config.security);
    request.previous_counter = previous_counter;
    request.counter_jump = counter_jump;
    security::faulty_apdu faulty = security::protect_with_fault(fault, request);
    faulty.apdu = frame_push_apdu(faulty.apdu, ciphered_push_addressing());
    return faulty;
}

namespace {

// The meter's whole state between pushes, copyable so a live source can take a push back.
class meter_core {
public:
    meter_core(const meter_config& config, const security::security_keys* keys,
               security::invocation_counter_store* counters, content_fault_hook content_faults)
        : config_((validate(config), config)),
          content_faults_(std::move(content_faults)),
          model_(config_),
          keys_(keys ? std::optional<security::security_keys>(*keys) : std::nullopt),
          counters_(counters),
          next_counter_(config.initial_invocation_counter),
          faults_(config.faults, config.seed, config.start) {
        check_timeline(model_.timeline());
        line_free_ = config.start;
        reschedule(config.start);
    }

    push_frame next() {
        for (;;) {
            const scheduled_push slot = schedule_.next();
            const utc_ms trigger = utc_of(slot.trigger);
            if (next_reschedule_ && trigger >= *next_reschedule_) {  // the clock or the lists changed
                reschedule(*next_reschedule_);
                continue;
            }
            const resolved_timeline& timeline = model_.timeline();
            checkpoint_up_to(trigger);
            if (timeline.in_outage(trigger)) {  // the meter is off: this push is never made
                drop_checkpoints(slot);
                continue;
            }
            if (slot.kind == push_kind::p1 && !timeline.data_request(trigger)) {  // nobody asks
                drop_checkpoints(slot);
                ++silenced_;
                continue;
            }
            push_frame frame = build(slot, trigger);
            last_trigger_ = trigger;
            if (timeline.port_cut(trigger)) {  // made and sealed, but the port has no power
                ++silenced_;
                continue;
            }
            frame.silenced_before = silenced_;
            silenced_ = 0;
            frame.events = timeline.in_force(trigger);
            for (const auto* x : timeline.changes(reported_up_to_, trigger))
                frame.timeline.push_back({x->event->text, std::string(info(x->event->kind).name), x->at, x->until});
            reported_up_to_ = std::max(trigger, reported_up_to_.value_or(trigger));
            const utc_ms wanted = trigger + slot.start_offset;
            const utc_ms start = std::max(wanted, line_free_);
            frame.start_offset = start - trigger;
            line_free_ = start + transmission_time(frame.wire.size(), baud_rate(), bits_per_character());
            return frame;
        }
    }

    unsigned baud_rate() const { return config_.baud_rate; }
    unsigned bits_per_character() const { return config_.bits_per_character; }

    // ---- live control (live_source.hpp)

    utc_ms earliest_change() const {
        return std::max(model_.now(), last_trigger_ ? *last_trigger_ + milliseconds(1) : config_.start);
    }
    std::uint64_t next_sequence() const { return sequence_; }

    void set_events(timeline events) {
        for (const auto& e : events) {
            const utc_ms at = e.at ? *e.at : config_.start + e.after_start.value_or(milliseconds(0));
            const bool known = std::any_of(model_.timeline().entries().begin(), model_.timeline().entries().end(),
                                           [&](const resolved_timeline::entry& x) { return x.event->text == e.text && x.at == at; });
            if (!known && at < earliest_change())
                throw std::invalid_argument("events: '" + e.text + "': the meter is already past that time");
        }
        const resolved_timeline resolved(events, config_.start);
        check_timeline(resolved);
        model_.set_events(events);
        config_.events = std::move(events);
        // The schedule restarts at the first clock or settings event after the current segment's start.
        next_reschedule_.reset();
        for (const auto& x : model_.timeline().entries()) {
            if (moves_schedule(x.event->kind) && x.at > segment_start_) {
                next_reschedule_ = x.at;
                break;
            }
        }
    }

    void add_fault(fault_rule rule) { faults_.add(std::move(rule)); }

private:
    static bool moves_schedule(event_kind k) {
        return k == event_kind::clock_set || k == event_kind::clock_jump || k == event_kind::clock_drift ||
               changes_settings(k);
    }

    struct checkpoint {
        energy_registers total;
        std::array<energy_registers, 3> phases;
    };

    // Refuses what the timeline cannot do with this meter, before anything is sent.
    void check_timeline(const resolved_timeline& timeline) const {
        for (const auto& x : timeline.entries()) {
            const timeline_event& e = *x.event;
            if (e.kind == event_kind::key_change && !e.keys)
                throw std::invalid_argument("events: '" + e.text + "': the key file '" + e.key_file +
                                            "' is not loaded (scenario::prepare_meter loads it)");
            if (changes_settings(e.kind) && !e.config_after)
                throw std::invalid_argument("events: '" + e.text +
                                            "': settings not resolved (scenario::prepare_meter resolves them)");
            if (e.kind == event_kind::counter_reset && counters_)
                throw std::invalid_argument(
                    "events: '" + e.text +
                    "': a meter with an invocation_counter_file never reuses a counter; counter_reset needs an "
                    "in-memory counter");
            if (changes_settings(e.kind) && e.config_after && e.config_after->security != security::security_policy::none &&
                !keys_ && !timeline.latest(event_kind::key_change, x.at))
                throw std::invalid_argument("events: '" + e.text + "': security " +
                                            std::string(security::to_string(e.config_after->security)) +
                                            " needs keys (key file or environment)");
        }
    }

    // The meter's settings (lists, list options, security) in force at `t`.
    const meter_config& settings_at(utc_ms t) const { return meter::settings_at(config_, model_.timeline(), t); }


    const security::security_keys* keys_at(utc_ms t) const {
        if (const auto* k = model_.timeline().latest(event_kind::key_change, t)) return &*k->event->keys;
        return keys_ ? &*keys_ : nullptr;
    }

    // Makes the push of `slot`, drawing an invocation counter when it is ciphered.
    push_frame build(const scheduled_push& slot, utc_ms trigger) {
        const meter_config& config = settings_at(trigger);
        snapshot values = model_.take_snapshot(trigger);
        if (slot.kind == push_kind::list2) {
            const auto found = checkpoints_.find(slot.energy_at);
            if (found == checkpoints_.end()) throw std::logic_error("meter source: list 2 energy checkpoint missing");
            values.energy = found->second.total;
            for (std::size_t i = 0; i < 3; ++i) values.phases[i].energy = found->second.phases[i];
            checkpoints_.erase(checkpoints_.begin(), std::next(found));
        }
        apply_counter_resets(trigger);

        push_frame frame;
        frame.meter = config.name;
        frame.list = std::string(to_string(slot.kind));
        frame.sequence = sequence_++;
        frame.trigger_utc = trigger;
        frame.encoding = config.list;
        const security::security_keys* keys = keys_at(trigger);
        std::uint32_t ic = 0;
        const bool ciphered = config.security != security::security_policy::none;
        if (ciphered) {
            ic = counters_ ? counters_->next() : next_memory_counter();
            frame.invocation_counter = ic;
        }
        // Only ciphering rules are the meter's; the others belong to the fault stage after
        // framing. A counter fault that a rate or time rule puts on the first push (which has
        // no previous counter) is left out.
        const bool han = slot.kind != push_kind::p1;
        const auto rule_index = faults_.select(frame.sequence, trigger, [&](const fault_rule& rule) {
            if (rule.rewrites_apdu) return ciphered && han && static_cast<bool>(content_faults_);
            if (!rule.cipher || !ciphered) return false;
            const bool needs_previous = *rule.cipher == security::cipher_fault::counter_stuck ||
                                        *rule.cipher == security::cipher_fault::counter_backwards;
            return !needs_previous || previous_wire_counter_.has_value();
        });
        const auto fault = rule_index ? faults_.plan()[*rule_index].cipher : std::nullopt;
        codec::bytes content_apdu;
        const bool content = rule_index && faults_.plan()[*rule_index].rewrites_apdu &&
                             content_faults_(faults_.plan()[*rule_index],
                                             content_apdu = build_push_apdu(slot.kind, values, config), frame.effect);
        if (content) {  // the content fault rewrote the plain APDU: seal it as the meter would
            const auto& rule = faults_.plan()[*rule_index];
            require_keys(config, keys);
            frame.wire = frame_push_apdu(security::glo_protect(content_apdu, *keys, values.identity.system_title, ic,
                                                               security::security_control_for(config.security)),
                                         ciphered_push_addressing());
            frame.fault = rule.name;
            frame.fault_rule = to_string(rule);
            frame.effect.description += " (in the plain APDU, before ciphering)";
            frame.effect.pieces = {wire_piece{0, frame.wire.size(), false, "frame"}};
        } else if (fault) {
            const auto& rule = faults_.plan()[*rule_index];
            auto faulty = build_faulty_push_wire(*fault, slot.kind, values, config, keys, ic, previous_wire_counter_,
                                                 static_cast<std::uint32_t>(rule.param("by", security::default_counter_jump)));
            frame.fault_rule = to_string(rule);
            frame.wire = std::move(faulty.apdu);
            frame.fault = std::string(security::to_string(*fault));
            frame.effect.description = faulty.description;
            // What a reader with the keys sees: the counter faults authenticate (the monitor
            // flags them); every other one fails to open or to parse.
            const bool counter = *fault == security::cipher_fault::counter_stuck ||
                                 *fault == security::cipher_fault::counter_backwards ||
                                 *fault == security::cipher_fault::counter_jump;
            // A counter fault is flagged only where a receiver can see it: after an earlier
            // push, and a jump only beyond the step a receiver tolerates (counter_monitor.hpp).
            const std::uint32_t wire_ic = faulty.invocation_counter;
            const bool flagged = counter && previous_wire_counter_ &&
                                 (wire_ic <= *previous_wire_counter_ ||
                                  wire_ic - *previous_wire_counter_ > security::counter_monitor::default_max_step);
            frame.effect.pieces = {wire_piece{0, frame.wire.size(), !counter,
                                              flagged ? "counter_anomaly" : counter ? "frame" : "ciphering"}};
            frame.invocation_counter = faulty.invocation_counter;
            if (*fault == security::cipher_fault::counter_jump) continue_above(faulty.invocation_counter);
        } else {
            frame.wire = build_push_wire(slot.kind, values, config, keys, ic);
        }
        if (ciphered) previous_wire_counter_ = frame.invocation_counter;
        frame.values = std::move(values);
        return frame;
    }

    void apply_counter_resets(utc_ms t) {
        const auto& entries = model_.timeline().entries();
        for (; reset_index_ < entries.size() && entries[reset_index_].at <= t; ++reset_index_) {
            const timeline_event& e = *entries[reset_index_].event;
            if (e.kind != event_kind::counter_reset) continue;
            next_counter_ = e.counter.value_or(config_.initial_invocation_counter);
            previous_wire_counter_.reset();
        }
    }

    void drop_checkpoints(const scheduled_push& slot) {
        if (slot.kind != push_kind::list2) return;
        checkpoints_.erase(checkpoints_.begin(), checkpoints_.upper_bound(slot.energy_at));
    }

    std::uint32_t next_memory_counter() {
        if (next_counter_ > 0xFFFFFFFFu)
            throw std::runtime_error("meter '" + config_.name +
                                     "': invocation counter space used up (the keys must be changed)");
        return static_cast<std::uint32_t>(next_counter_++);
    }

    // After a deliberate jump the meter keeps counting above the value it sent, as a real
    // meter whose counter really jumped would.
    void continue_above(std::uint32_t sent) {
        if (counters_) counters_->skip_past(sent);
        else next_counter_ = std::max<std::uint64_t>(next_counter_, std::uint64_t{sent} + 1);
    }

    // Starts the schedule again at true UTC `at` on the meter clock and settings of then:
    // at the start, and at every clock or settings event (a clock set back repeats slots,
    // one set forward skips them).
    void reschedule(utc_ms at) {
        const meter_config& config = settings_at(at);
        const security::security_keys* keys = keys_at(at);
        if (config.security != security::security_policy::none && !keys)
            throw std::invalid_argument("security: policy " + std::string(security::to_string(config.security)) +
                                        " needs keys (key file or environment)");
        segment_start_ = at;
        segment_meter_start_ = model_.meter_clock(at);
        // Frame sizes are fixed per configuration: measure one of each for the collision rule.
        meter_model probe = model_;
        const snapshot sample = probe.take_snapshot(std::max(at, probe.now()));
        auto size_of = [&](push_kind kind) -> std::size_t {
            if (std::find(config.lists.begin(), config.lists.end(), kind) == config.lists.end()) return 0;
            return build_push_wire(kind, sample, config, keys, 0).size();
        };
        const std::size_t x0 = std::max(size_of(push_kind::list1), size_of(push_kind::push1));
        schedule_ = push_schedule(schedule_of(config, x0, size_of(push_kind::list2)), segment_meter_start_);
        wants_list2_ = std::find(config.lists.begin(), config.lists.end(), push_kind::list2) != config.lists.end();
        checkpoints_.clear();
        next_checkpoint_ = ceil<hours>(segment_meter_start_);
        next_reschedule_.reset();
        for (const auto& x : model_.timeline().entries()) {
            if (moves_schedule(x.event->kind) && x.at > at) {
                next_reschedule_ = x.at;
                break;
            }
        }
    }

    // The first true-UTC instant at which the meter clock shows `meter_time` (within the
    // current clock segment, where the clock runs at one rate).
    utc_ms utc_of(utc_ms meter_time) const {
        const auto d = meter_time - segment_meter_start_;
        const double ppm = drift_now();
        utc_ms t = segment_start_ + milliseconds(std::llround(static_cast<double>(d.count()) / (1.0 + ppm / 1e6)));
        if (t < segment_start_) t = segment_start_;
        while (model_.meter_clock(t) < meter_time) t += milliseconds(1);
        while (t > segment_start_ && model_.meter_clock(t - milliseconds(1)) >= meter_time) t -= milliseconds(1);
        return t;
    }

    double drift_now() const {
        const auto* d = model_.timeline().latest(event_kind::clock_drift, segment_start_);
        return d ? d->event->value : 0.0;
    }

    // Records the registers at every full hour of the meter clock up to `t` (true UTC), for
    // list 2, whose energies are those of xx:00:00 although it is sent later.
    void checkpoint_up_to(utc_ms t) {
        if (!wants_list2_) return;
        for (;;) {
            const utc_ms at = utc_of(next_checkpoint_);
            if (at > t) break;
            model_.advance_to(std::max(at, model_.now()));
            checkpoint c{model_.total_energy(), {model_.phase_energy(0), model_.phase_energy(1), model_.phase_energy(2)}};
            checkpoints_.emplace(next_checkpoint_, c);
            next_checkpoint_ += hours(1);
        }
    }

    meter_config config_;  ///< as given; the model has its physics part
    content_fault_hook content_faults_;
    meter_model model_;
    std::optional<security::security_keys> keys_;
    security::invocation_counter_store* counters_;
    std::uint64_t next_counter_;  ///< without a store; 2^32 once the counter space is used up
    std::optional<std::uint32_t> previous_wire_counter_;  ///< IC the previous ciphered push carried
    push_schedule schedule_{schedule_config{}, utc_ms{}};
    utc_ms segment_start_{};        ///< true UTC where the current schedule began
    utc_ms segment_meter_start_{};  ///< the meter clock then
    std::optional<utc_ms> next_reschedule_;
    bool wants_list2_ = false;
    utc_ms next_checkpoint_{};  ///< meter clock
    std::map<utc_ms, checkpoint> checkpoints_;
    utc_ms line_free_{};
    std::uint64_t sequence_ = 0;
    fault_selector faults_;
    std::uint64_t silenced_ = 0;
    std::size_t reset_index_ = 0;
    std::optional<utc_ms> last_trigger_;  ///< of the last push built
    std::optional<utc_ms> reported_up_to_;  ///< timeline changes up to here are in frames sent
};

class meter_push_source final : public push_source, public live_source {
public:
    meter_push_source(const meter_config& config, const security::security_keys* keys,
                      security::invocation_counter_store* counters, bool live,
                      content_fault_hook content_faults)
        : core_(config, keys, counters, std::move(content_faults)), live_(live) {}

    push_frame next() override {
        if (live_) before_last_ = core_;
        return core_.next();
    }
    unsigned baud_rate() const override { return core_.baud_rate(); }
    unsigned bits_per_character() const override { return core_.bits_per_character(); }
    live_source* live() override { return live_ ? this : nullptr; }

    bool can_rewind() const override { return before_last_.has_value(); }
    void rewind() override {
        if (!before_last_) throw std::logic_error("meter source: no push to take back");
        core_ = std::move(*before_last_);
        before_last_.reset();
    }
    utc_ms earliest_change() const override { return core_.earliest_change(); }
    std::uint64_t next_sequence() const override { return core_.next_sequence(); }
    void set_events(timeline events) override { core_.set_events(std::move(events)); }
    void add_faults(const fault_plan& rules) override {
        for (const auto& rule : rules)
            if (rule.cipher) core_.add_fault(rule);
    }

private:
    meter_core core_;
    bool live_;
    std::optional<meter_core> before_last_;
};

}  // namespace

std::unique_ptr<push_source> make_push_source(const meter_config& config, const security::security_keys* keys,
                                              security::invocation_counter_store* counters, bool live,
                                              content_fault_hook content_faults) {
    return std::make_unique<meter_push_source>(config, keys, counters, live, std::move(content_faults));
}

}  // namespace hansim::meter
