#include <gtest/gtest.h>

#include <csignal>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "hansim/security/invocation_counter_store.hpp"

using hansim::security::invocation_counter_store;
namespace fs = std::filesystem;

namespace {

class counter_store_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("hansim_ic_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        path_ = dir_ / "counter";
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string file_text() const {
        std::ifstream in(path_);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

    fs::path dir_;
    fs::path path_;
};

}  // namespace

TEST_F(counter_store_test, new_store_starts_at_first_value_and_increments) {
    invocation_counter_store store(path_, 10, 0x12345);
    EXPECT_EQ(store.peek(), 0x12345u);
    EXPECT_EQ(store.next(), 0x12345u);
    EXPECT_EQ(store.next(), 0x12346u);
    EXPECT_EQ(store.peek(), 0x12347u);
}

TEST_F(counter_store_test, reservation_is_persisted_before_a_value_is_issued) {
    invocation_counter_store store(path_, 10, 1);
    EXPECT_EQ(file_text().find("next=1\n") != std::string::npos, true) << file_text();
    (void)store.next();
    EXPECT_NE(file_text().find("next=11\n"), std::string::npos) << file_text();
    for (int i = 0; i < 9; ++i) (void)store.next();  // 2..10 stay within the reservation
    EXPECT_NE(file_text().find("next=11\n"), std::string::npos) << file_text();
    EXPECT_EQ(store.next(), 11u);
    EXPECT_NE(file_text().find("next=21\n"), std::string::npos) << file_text();
}

TEST_F(counter_store_test, clean_restart_continues_exactly) {
    {
        invocation_counter_store store(path_, 1000, 1);
        for (int i = 0; i < 5; ++i) (void)store.next();  // 1..5
    }  // destructor flushes
    invocation_counter_store again(path_, 1000, 1);
    EXPECT_EQ(again.next(), 6u);
}

TEST_F(counter_store_test, restart_without_flush_resumes_above_every_issued_value) {
    std::uint32_t last = 0;
    {
        invocation_counter_store store(path_, 100, 1);
        for (int i = 0; i < 250; ++i) last = store.next();
        // Simulate a crash: copy the file as it is on disk now, before the destructor flushes.
        fs::copy_file(path_, dir_ / "crashed", fs::copy_options::overwrite_existing);
    }
    fs::rename(dir_ / "crashed", path_);
    invocation_counter_store again(path_, 100, 1);
    const auto next = again.next();
    EXPECT_GT(next, last);
    EXPECT_LE(next, last + 101);  // skips at most one block
}

TEST_F(counter_store_test, moved_from_store_does_not_write) {
    invocation_counter_store a(path_, 10, 1);
    (void)a.next();
    invocation_counter_store b(std::move(a));
    EXPECT_EQ(b.next(), 2u);
}

TEST_F(counter_store_test, exhausted_counter_space_is_an_error_not_a_wrap) {
    invocation_counter_store store(path_, 10, 0xFFFFFFFEu);
    EXPECT_EQ(store.next(), 0xFFFFFFFEu);
    EXPECT_EQ(store.next(), 0xFFFFFFFFu);
    try {
        (void)store.next();
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path_.string()), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("exhausted"), std::string::npos);
    }
}

TEST_F(counter_store_test, malformed_file_is_rejected_naming_the_path) {
    for (const char* text : {"", "# only a comment\n", "next=abc\n", "counter=5\n", "next=5\nnext=6\n",
                             "next=99999999999\n"}) {
        std::ofstream(path_, std::ios::trunc) << text;
        try {
            invocation_counter_store store(path_, 10, 1);
            ADD_FAILURE() << "accepted: " << text;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("invocation counter store " + path_.string()), std::string::npos)
                << e.what();
        }
    }
}

TEST_F(counter_store_test, unwritable_directory_is_reported_with_the_path) {
    const auto missing = dir_ / "no_such_dir" / "counter";
    try {
        invocation_counter_store store(missing, 10, 1);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
    }
}

// A child issues counters as fast as it can and reports each one through a pipe; it is killed
// with SIGKILL at an arbitrary point (possibly in the middle of a reservation write). After
// every crash the reopened store must start above every value the child reported.
TEST_F(counter_store_test, sigkill_never_causes_a_repeat) {
    std::uint32_t highest_reported = 0;
    for (int round = 0; round < 5; ++round) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(fds[0]);
            try {
                invocation_counter_store store(path_, 7, 1);
                for (;;) {
                    const std::uint32_t value = store.next();
                    if (::write(fds[1], &value, sizeof value) != sizeof value) ::_exit(3);
                }
            } catch (...) {
                ::_exit(2);
            }
        }
        ::close(fds[1]);
        std::vector<std::uint32_t> reported;
        std::uint32_t value = 0;
        const std::size_t kill_after = 200 + static_cast<std::size_t>(round) * 37;
        while (::read(fds[0], &value, sizeof value) == sizeof value) {
            reported.push_back(value);
            if (reported.size() == kill_after) ::kill(child, SIGKILL);
        }
        ::close(fds[0]);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exited on its own, status " << status;
        ASSERT_GE(reported.size(), kill_after);
        for (std::size_t i = 1; i < reported.size(); ++i) ASSERT_GT(reported[i], reported[i - 1]);
        ASSERT_GT(reported.front(), highest_reported) << "round " << round << " repeated a counter";
        highest_reported = reported.back();

        invocation_counter_store reopened(path_, 7, 1);
        EXPECT_GT(reopened.peek(), highest_reported) << "round " << round;
    }
}

TEST_F(counter_store_test, skip_past_continues_above_a_jumped_counter_and_never_lowers) {
    invocation_counter_store store(path_, 10, 1);
    EXPECT_EQ(store.next(), 1u);
    store.skip_past(1001);
    EXPECT_EQ(store.next(), 1002u);
    store.skip_past(5);
    EXPECT_EQ(store.next(), 1003u);
    // The reservation covering 1002 was persisted before 1002 was issued.
    std::ifstream in(path_);
    const std::string text(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(text.find("next=1012\n"), std::string::npos) << text;
}

// Two users of one store would each hand out the same counters. The second is refused while
// the first holds the store, whether it is in this process or another one.
TEST_F(counter_store_test, a_second_user_is_refused_while_the_first_holds_the_store) {
    {
        invocation_counter_store first(path_, 10, 1);
        try {
            invocation_counter_store second(path_, 10, 1);
            FAIL() << "a second store on the same file was opened";
        } catch (const hansim::security::counter_store_in_use& e) {
            EXPECT_NE(std::string(e.what()).find(path_.string()), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("in use"), std::string::npos) << e.what();
        }
        EXPECT_EQ(first.next(), 1u);  // the refused open did not disturb the holder

        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            // The parent's lock is on its own open file description: a fresh open in the
            // child (like another process) must be refused.
            try {
                invocation_counter_store other(path_, 10, 1);
                ::_exit(0);
            } catch (const hansim::security::counter_store_in_use&) {
                ::_exit(7);
            } catch (...) {
                ::_exit(8);
            }
        }
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 7) << "another process was not refused";
    }
    invocation_counter_store after(path_, 10, 1);  // released with the first store
    EXPECT_EQ(after.next(), 2u);
}

TEST_F(counter_store_test, moving_a_store_keeps_the_lock) {
    invocation_counter_store a(path_, 10, 1);
    invocation_counter_store b(std::move(a));
    EXPECT_THROW(invocation_counter_store(path_, 10, 1), hansim::security::counter_store_in_use);
}
