// A bounded lock-free ring for exactly one producer thread and one consumer thread.
//
// Threads: the constructor and destructor run on a thread that owns neither end (main thread), before the
// two ends start and after they stop. push() only on the producer thread, pop()/peek() only on the consumer
// thread. Neither end allocates, locks, waits or makes a system call, so either end may be the audio thread.
// Items are copied by value; T must be trivially copyable.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <type_traits>

namespace jb {

template <typename T>
class SpscRing {
    static_assert(std::is_trivially_copyable<T>::value, "ring items are copied as bytes");

public:
    // capacity is rounded up to a power of two. [main-thread]
    explicit SpscRing(std::size_t capacity) {
        std::size_t c = 2;
        while (c < capacity) c <<= 1;
        mask_ = c - 1;
        items_.reset(new T[c]);
    }
    SpscRing(const SpscRing&) = delete;
    SpscRing& operator=(const SpscRing&) = delete;

    std::size_t capacity() const { return mask_ + 1; }

    // Copies item in; false when full. [producer]
    bool push(const T& item) {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head - tail_.load(std::memory_order_acquire) > mask_) return false;
        items_[head & mask_] = item;
        head_.store(head + 1, std::memory_order_release);
        return true;
    }

    // Copies the oldest item out; false when empty. [consumer]
    bool pop(T& out) {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail == head_.load(std::memory_order_acquire)) return false;
        out = items_[tail & mask_];
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }

    // The oldest item in place, or nullptr; valid until drop(). Saves a copy of large items. [consumer]
    const T* peek() const {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail == head_.load(std::memory_order_acquire)) return nullptr;
        return &items_[tail & mask_];
    }
    // Releases the item peek() returned. [consumer]
    void drop() { tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

    // Items waiting (a snapshot; exact only on the consumer side). [either]
    std::size_t size() const {
        return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
    }
    // Free slots (a snapshot; exact only on the producer side). [either]
    std::size_t space() const { return capacity() - size(); }

private:
    std::unique_ptr<T[]> items_;
    std::size_t mask_ = 0;
    alignas(64) std::atomic<std::size_t> head_{0};   // written by the producer
    alignas(64) std::atomic<std::size_t> tail_{0};   // written by the consumer
};

}  // namespace jb
