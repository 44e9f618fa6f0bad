// "Export takes": the current job's takes as files a DAW imports at the right place. Each variation becomes
// take-K.wav (24-bit PCM at the host rate) with a BWF `bext` chunk whose time reference is the timeline sample
// where the take starts (the loop end), and whose description names the job, the take and the style.
// Threads: [net-thread] (file I/O, allocates).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jb {

struct ExportedTake {
    std::vector<float> samples;   // interleaved, `channels` per frame
    int channels = 1;
};

// Writes path as RIFF/WAVE: fmt (PCM, 24-bit), bext (EBU Tech 3285 v1, time reference = timeReference), data.
// Samples are clipped to [-1, 1) and rounded to 24 bits. False with *error set when the file cannot be written.
bool writeBwfWav24(const std::string& path, int rate, const ExportedTake& take, std::uint64_t timeReference,
                   const std::string& description, std::string* error);

}  // namespace jb
