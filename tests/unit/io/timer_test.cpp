#include <gtest/gtest.h>

#include "hansim/io/timer.hpp"

using namespace std::chrono_literals;
using namespace hansim::io;

TEST(asio_timer, fires_at_an_absolute_deadline_and_a_new_wait_replaces_the_old) {
    boost::asio::io_context context;
    asio_timer timer(context);
    std::vector<int> fired;
    const auto start = timer.now();
    timer.call_at(start + 5ms, [&] { fired.push_back(1); });
    timer.call_at(start + 20ms, [&] { fired.push_back(2); });  // replaces the first
    context.run();
    EXPECT_EQ(fired, std::vector<int>{2});
    EXPECT_GE(timer.now() - start, 20ms);
}

TEST(asio_timer, cancelled_or_destroyed_waits_never_fire) {
    boost::asio::io_context context;
    bool fired = false;
    {
        asio_timer timer(context);
        timer.call_at(timer.now() - 1s, [&] { fired = true; });
        timer.cancel();
        context.poll();
        EXPECT_FALSE(fired);
        timer.call_at(timer.now() - 1s, [&] { fired = true; });
    }  // destroyed with an expired wait pending
    context.restart();
    context.poll();
    EXPECT_FALSE(fired);
}

TEST(virtual_clock, runs_callbacks_in_deadline_order_and_only_up_to_the_limit) {
    virtual_clock clock;
    const auto start = clock.now();
    auto a = clock.make_timer();
    auto b = clock.make_timer();
    std::vector<std::pair<char, mono_clock::duration>> seen;
    a->call_at(start + 3s, [&] { seen.emplace_back('a', clock.now() - start); });
    b->call_at(start + 1s, [&] { seen.emplace_back('b', clock.now() - start); });
    EXPECT_EQ(clock.run_until(start + 2s), 1u);
    EXPECT_EQ(clock.now(), start + 2s);
    EXPECT_EQ(clock.run_all(), 1u);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], std::make_pair('b', mono_clock::duration(1s)));
    EXPECT_EQ(seen[1], std::make_pair('a', mono_clock::duration(3s)));
    b->call_at(start + 10s, [&] { seen.emplace_back('x', 0s); });
    b.reset();  // a destroyed timer's wait is dropped
    EXPECT_EQ(clock.run_all(), 0u);
}

TEST(timer_queue, meters_due_at_the_same_instant_share_one_wakeup_in_deadline_order) {
    boost::asio::io_context context;
    timer_queue queue(context);
    auto a = queue.make_timer();
    auto b = queue.make_timer();
    auto c = queue.make_timer();
    std::vector<char> fired;
    const auto at = mono_clock::now() + 20ms;
    c->call_at(at + 5ms, [&] { fired.push_back('c'); });
    a->call_at(at, [&] { fired.push_back('a'); });  // earlier than the armed deadline: re-arms
    b->call_at(at, [&] { fired.push_back('b'); });  // same instant: FIFO after a
    context.run();
    EXPECT_EQ(fired, (std::vector<char>{'a', 'b', 'c'}));
    EXPECT_GE(mono_clock::now(), at + 5ms);
    // a and b at one instant: one wake-up; c 5 ms later: usually a second one (never more)
    EXPECT_LE(queue.statistics().wakeups, 2u);
    EXPECT_EQ(queue.statistics().callbacks, 3u);
}

TEST(timer_queue, a_thousand_handles_at_one_instant_cost_one_wakeup_and_one_arm) {
    boost::asio::io_context context;
    timer_queue queue(context);
    std::vector<std::unique_ptr<timer>> timers;
    const auto at = mono_clock::now() + 10ms;
    int fired = 0;
    for (int i = 0; i < 1000; ++i) {
        timers.push_back(queue.make_timer());
        timers.back()->call_at(at, [&] { ++fired; });
    }
    context.run();
    EXPECT_EQ(fired, 1000);
    EXPECT_EQ(queue.statistics().wakeups, 1u);
    EXPECT_EQ(queue.statistics().arms, 1u);
}

TEST(timer_queue, replaced_cancelled_and_destroyed_waits_never_fire) {
    boost::asio::io_context context;
    timer_queue queue(context);
    auto a = queue.make_timer();
    auto b = queue.make_timer();
    auto c = queue.make_timer();
    std::vector<int> fired;
    const auto now = mono_clock::now();
    a->call_at(now + 1ms, [&] { fired.push_back(1); });
    a->call_at(now + 3ms, [&] { fired.push_back(2); });  // replaces 1
    b->call_at(now + 2ms, [&] { fired.push_back(3); });
    b->cancel();
    c->call_at(now + 2ms, [&] { fired.push_back(4); });
    c.reset();
    context.run();
    EXPECT_EQ(fired, std::vector<int>{2});
}

TEST(timer_queue, a_callback_may_schedule_again_and_what_is_already_due_runs_in_the_same_wakeup) {
    boost::asio::io_context context;
    timer_queue queue(context);
    auto a = queue.make_timer();
    std::vector<int> fired;
    const auto start = mono_clock::now();
    a->call_at(start + 2ms, [&] {
        fired.push_back(1);
        a->call_at(start, [&] {  // already past: no new wake-up for it
            fired.push_back(2);
            a->call_at(mono_clock::now() + 5ms, [&] { fired.push_back(3); });
        });
    });
    context.run();
    EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(queue.statistics().wakeups, 2u);
    EXPECT_GE(mono_clock::now() - start, 7ms);
}
