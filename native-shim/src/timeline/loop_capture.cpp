#include "timeline/loop_capture.h"

#include <algorithm>
#include <cstring>

namespace jb {

void LoopCapture::prepare(std::int64_t maxFrames) {
    left_.assign(static_cast<std::size_t>(std::max<std::int64_t>(maxFrames, 1)), 0.0f);
    right_.assign(left_.size(), 0.0f);
    loopStart_ = loopLength_ = 0;
    sealed_ = tooLong_ = false;
    reset();
}

void LoopCapture::record(bool playing, bool loopActive, std::int64_t loopStart, std::int64_t loopEnd,
                         std::int64_t blockStart, const float* const* in, int numFrames) {
    if (sealed_) return;
    if (!loopActive || loopEnd <= loopStart) return;   // keep what we have: the loop may come back
    if (loopStart != loopStart_ || loopEnd - loopStart != loopLength_) {
        loopStart_ = loopStart;
        loopLength_ = loopEnd - loopStart;
        tooLong_ = loopLength_ > capacity();
        reset();
    }
    if (tooLong_) return;
    if (!playing) {
        if (run_ < loopLength_) reset();   // a stopped transport breaks an unfinished pass
        return;
    }
    const std::int64_t end = loopStart_ + loopLength_;
    if (blockStart < end && blockStart + numFrames > end) {
        // A block that runs over the loop end while looping (a host that does not split its blocks there,
        // like Ardour): what follows the loop end in it is already the loop start again.
        const int head = static_cast<int>(end - blockStart);
        record(playing, loopActive, loopStart, loopEnd, blockStart, in, head);
        const float* rest[2] = {in[0] + head, in[1] + head};
        record(playing, loopActive, loopStart, loopEnd, loopStart_, rest, numFrames - head);
        return;
    }
    const std::int64_t a = std::max(blockStart, loopStart_);
    const std::int64_t b = std::min(blockStart + numFrames, end);
    if (a >= b) return;
    const std::int64_t expected = lastPos_ < 0 ? -1 : (lastPos_ + 1 == loopStart_ + loopLength_ ? loopStart_ : lastPos_ + 1);
    const std::int64_t len = b - a;
    if (a == expected) run_ += len;
    else if (run_ < loopLength_) run_ = len;        // a jump: a new pass starts here
    // (after a complete pass a jump keeps it complete: the buffer still holds a full pass, partly renewed)
    const std::size_t off = static_cast<std::size_t>(a - loopStart_);
    const std::size_t src = static_cast<std::size_t>(a - blockStart);
    std::memcpy(left_.data() + off, in[0] + src, sizeof(float) * static_cast<std::size_t>(len));
    std::memcpy(right_.data() + off, in[1] + src, sizeof(float) * static_cast<std::size_t>(len));
    lastPos_ = b - 1;
}

}  // namespace jb
