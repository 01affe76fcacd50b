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
