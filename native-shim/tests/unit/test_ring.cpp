// SPSC ring: order, full/empty, and a two-thread stress run where every item arrives once, in order.
#include <thread>

#include "check.h"
#include "common/spsc_ring.h"

TEST(ring_keeps_order_and_reports_full_and_empty) {
    jb::SpscRing<int> r(4);
    CHECK_EQ(r.capacity(), std::size_t(4));
    int out = 0;
    CHECK(!r.pop(out));
    for (int i = 0; i < 4; ++i) CHECK(r.push(i));
    CHECK(!r.push(99));
    CHECK_EQ(r.size(), std::size_t(4));
    for (int i = 0; i < 4; ++i) {
        CHECK(r.pop(out));
        CHECK_EQ(out, i);
    }
    CHECK(!r.pop(out));
    CHECK(r.push(5));
    const int* p = r.peek();
    CHECK(p != nullptr && *p == 5);
    r.drop();
    CHECK(r.peek() == nullptr);
}

TEST(ring_capacity_rounds_up_to_a_power_of_two) {
    jb::SpscRing<char> r(100);
    CHECK_EQ(r.capacity(), std::size_t(128));
}

TEST(ring_two_threads_every_item_once_in_order) {
    struct Item { long seq; long check; };
    jb::SpscRing<Item> r(64);
    const long n = 200000;
    std::thread producer([&] {
        for (long i = 0; i < n;) {
            if (r.push(Item{i, i * 7 + 1})) ++i;
            else std::this_thread::yield();
        }
    });
    long expected = 0;
    bool ok = true;
    while (expected < n) {
        Item it;
        if (!r.pop(it)) { std::this_thread::yield(); continue; }
        if (it.seq != expected || it.check != expected * 7 + 1) ok = false;
        ++expected;
    }
    producer.join();
    CHECK(ok);
    CHECK_EQ(r.size(), std::size_t(0));
}

TEST_MAIN()
