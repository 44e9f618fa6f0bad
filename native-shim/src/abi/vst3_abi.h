// Our own declaration of the VST3 binary interface, written from the interface facts collected in
// ../shared/docs/reference/vst3-abi.md (IIDs, vtable order, struct layouts). No SDK code.
//
// Every interface is a C++ class with only pure virtual methods, in vtable order and without a virtual
// destructor: under the Itanium ABI (Linux, macOS) and MSVC this gives exactly the COM-style layout a host
// expects. Every struct size is checked with static_assert.
//
// Threads (Steinberg's call sequence, and what Ardour 7.3 was seen to do):
//   [main-thread]  factory calls, initialize/terminate, get/setState, bus calls, setupProcessing, connect,
//                  notify and every IEditController method;
//   [audio-thread] IAudioProcessor::process; setProcessing/setActive may also come from the process thread
//                  around an export, so both must be cheap and must not block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(_WIN32)
#define JB_PLUGIN_API __stdcall
#else
#define JB_PLUGIN_API
#endif

namespace v3 {

using int8 = std::int8_t;
using uint8 = std::uint8_t;
using int16 = std::int16_t;
using uint16 = std::uint16_t;
using int32 = std::int32_t;
using uint32 = std::uint32_t;
using int64 = std::int64_t;
using uint64 = std::uint64_t;
using tresult = int32;
using TBool = uint8;
using ParamID = uint32;
using ParamValue = double;
using TSamples = int64;
using TQuarterNotes = double;
using SpeakerArrangement = uint64;
using TChar = char16_t;
using String128 = TChar[128];
using FIDString = const char*;
using TUIDPtr = const char*;   // a 16-byte interface/class id, passed by pointer

// Result codes.
#if defined(_WIN32)
constexpr tresult kNoInterface = static_cast<tresult>(0x80004002L);
constexpr tresult kResultOk = 0;
constexpr tresult kResultTrue = 0;
constexpr tresult kResultFalse = 1;
constexpr tresult kInvalidArgument = static_cast<tresult>(0x80070057L);
constexpr tresult kNotImplemented = static_cast<tresult>(0x80004001L);
constexpr tresult kInternalError = static_cast<tresult>(0x80004005L);
constexpr tresult kNotInitialized = static_cast<tresult>(0x8000FFFFL);
constexpr tresult kOutOfMemory = static_cast<tresult>(0x8007000EL);
#else
constexpr tresult kNoInterface = -1;
constexpr tresult kResultOk = 0;
constexpr tresult kResultTrue = 0;
constexpr tresult kResultFalse = 1;
constexpr tresult kInvalidArgument = 2;
constexpr tresult kNotImplemented = 3;
constexpr tresult kInternalError = 4;
constexpr tresult kNotInitialized = 5;
constexpr tresult kOutOfMemory = 6;
#endif

// A 16-byte id built from four 32-bit words. Linux/macOS: each word big-endian in turn. Windows (COM):
// w0 little-endian, the two 16-bit halves of w1 little-endian each, w2 and w3 big-endian.
struct Uid {
    unsigned char b[16];
    const char* ptr() const { return reinterpret_cast<const char*>(b); }
    bool equals(const char* other) const { return other != nullptr && std::memcmp(b, other, 16) == 0; }
};

constexpr Uid makeUid(uint32 w0, uint32 w1, uint32 w2, uint32 w3) {
#if defined(_WIN32)
    return Uid{{static_cast<unsigned char>(w0), static_cast<unsigned char>(w0 >> 8),
                static_cast<unsigned char>(w0 >> 16), static_cast<unsigned char>(w0 >> 24),
                static_cast<unsigned char>(w1 >> 16), static_cast<unsigned char>(w1 >> 24),
                static_cast<unsigned char>(w1), static_cast<unsigned char>(w1 >> 8),
                static_cast<unsigned char>(w2 >> 24), static_cast<unsigned char>(w2 >> 16),
                static_cast<unsigned char>(w2 >> 8), static_cast<unsigned char>(w2),
                static_cast<unsigned char>(w3 >> 24), static_cast<unsigned char>(w3 >> 16),
                static_cast<unsigned char>(w3 >> 8), static_cast<unsigned char>(w3)}};
#else
    return Uid{{static_cast<unsigned char>(w0 >> 24), static_cast<unsigned char>(w0 >> 16),
                static_cast<unsigned char>(w0 >> 8), static_cast<unsigned char>(w0),
                static_cast<unsigned char>(w1 >> 24), static_cast<unsigned char>(w1 >> 16),
                static_cast<unsigned char>(w1 >> 8), static_cast<unsigned char>(w1),
                static_cast<unsigned char>(w2 >> 24), static_cast<unsigned char>(w2 >> 16),
                static_cast<unsigned char>(w2 >> 8), static_cast<unsigned char>(w2),
                static_cast<unsigned char>(w3 >> 24), static_cast<unsigned char>(w3 >> 16),
                static_cast<unsigned char>(w3 >> 8), static_cast<unsigned char>(w3)}};
#endif
}

// ---------------------------------------------------------------------------------------------
// Interface ids.
constexpr Uid kFUnknownIid = makeUid(0x00000000, 0x00000000, 0xC0000000, 0x00000046);
constexpr Uid kIPluginBaseIid = makeUid(0x22888DDB, 0x156E45AE, 0x8358B348, 0x08190625);
constexpr Uid kIPluginFactoryIid = makeUid(0x7A4D811C, 0x52114A1F, 0xAED9D2EE, 0x0B43BF9F);
constexpr Uid kIPluginFactory2Iid = makeUid(0x0007B650, 0xF24B4C0B, 0xA464EDB9, 0xF00B2ABB);
constexpr Uid kIPluginFactory3Iid = makeUid(0x4555A2AB, 0xC1234E57, 0x9B122910, 0x36878931);
constexpr Uid kIComponentIid = makeUid(0xE831FF31, 0xF2D54301, 0x928EBBEE, 0x25697802);
constexpr Uid kIAudioProcessorIid = makeUid(0x42043F99, 0xB7DA453C, 0xA569E79D, 0x9AAEC33D);
constexpr Uid kIProcessContextRequirementsIid = makeUid(0x2A654303, 0xEF764E3D, 0x95B5FE83, 0x730EF6D0);
constexpr Uid kIEditControllerIid = makeUid(0xDCD7BBE3, 0x7742448D, 0xA874AACC, 0x979C759E);
constexpr Uid kIComponentHandlerIid = makeUid(0x93A0BEA3, 0x0BD045DB, 0x8E890B0C, 0xC1E46AC6);
constexpr Uid kIConnectionPointIid = makeUid(0x70A4156F, 0x6E6E4026, 0x989148BF, 0xAA60D8D1);
constexpr Uid kIMessageIid = makeUid(0x936F033B, 0xC6C047DB, 0xBB0882F8, 0x13C1E613);
constexpr Uid kIAttributeListIid = makeUid(0x1E5F0AEB, 0xCC7F4533, 0xA2544011, 0x38AD5EE4);
constexpr Uid kIHostApplicationIid = makeUid(0x58E595CC, 0xDB2D4969, 0x8B6AAF8C, 0x36A664E5);
constexpr Uid kIBStreamIid = makeUid(0xC3BF6EA2, 0x30994752, 0x9B6BF990, 0x1EE33E9B);
constexpr Uid kIParameterChangesIid = makeUid(0xA4779663, 0x0BB64A56, 0xB44384A8, 0x466FEB9D);
constexpr Uid kIParamValueQueueIid = makeUid(0x01263A18, 0xED074F6F, 0x98C9D356, 0x4686F9BA);
constexpr Uid kIEventListIid = makeUid(0x3A2C4214, 0x346349FE, 0xB2C4F397, 0xB9695A44);

// ---------------------------------------------------------------------------------------------
// Base interfaces.
class FUnknown {
public:
    virtual tresult JB_PLUGIN_API queryInterface(TUIDPtr iid, void** obj) = 0;
    virtual uint32 JB_PLUGIN_API addRef() = 0;
    virtual uint32 JB_PLUGIN_API release() = 0;
};

class IPluginBase : public FUnknown {
public:
    virtual tresult JB_PLUGIN_API initialize(FUnknown* context) = 0;
    virtual tresult JB_PLUGIN_API terminate() = 0;
};

// ---------------------------------------------------------------------------------------------
// Factory.
struct PFactoryInfo {
    enum { kClassesDiscardable = 1, kLicenseCheck = 2, kComponentNonDiscardable = 8, kUnicode = 16 };
    char vendor[64];
    char url[256];
    char email[128];
    int32 flags;
};
static_assert(sizeof(PFactoryInfo) == 452, "PFactoryInfo layout");

struct PClassInfo {
    enum { kManyInstances = 0x7FFFFFFF };
    char cid[16];
    int32 cardinality;
    char category[32];
    char name[64];
};
static_assert(sizeof(PClassInfo) == 116, "PClassInfo layout");

struct PClassInfo2 {
    char cid[16];
    int32 cardinality;
    char category[32];
    char name[64];
    uint32 classFlags;
    char subCategories[128];
    char vendor[64];
    char version[64];
    char sdkVersion[64];
};
static_assert(sizeof(PClassInfo2) == 440, "PClassInfo2 layout");
static_assert(offsetof(PClassInfo2, subCategories) == 120, "PClassInfo2 layout");

struct PClassInfoW {
    char cid[16];
    int32 cardinality;
    char category[32];
    TChar name[64];
    uint32 classFlags;
    char subCategories[128];
    TChar vendor[64];
    TChar version[64];
    TChar sdkVersion[64];
};
static_assert(sizeof(PClassInfoW) == 696, "PClassInfoW layout");

class IPluginFactory : public FUnknown {
public:
    virtual tresult JB_PLUGIN_API getFactoryInfo(PFactoryInfo* info) = 0;
    virtual int32 JB_PLUGIN_API countClasses() = 0;
    virtual tresult JB_PLUGIN_API getClassInfo(int32 index, PClassInfo* info) = 0;
    virtual tresult JB_PLUGIN_API createInstance(FIDString cid, FIDString iid, void** obj) = 0;
};

class IPluginFactory2 : public IPluginFactory {
public:
    virtual tresult JB_PLUGIN_API getClassInfo2(int32 index, PClassInfo2* info) = 0;
};

class IPluginFactory3 : public IPluginFactory2 {
public:
    virtual tresult JB_PLUGIN_API getClassInfoUnicode(int32 index, PClassInfoW* info) = 0;
    virtual tresult JB_PLUGIN_API setHostContext(FUnknown* context) = 0;
};

// ---------------------------------------------------------------------------------------------
// Host-side helpers the plugin calls.
class IBStream : public FUnknown {
public:
    enum { kSeekSet = 0, kSeekCur = 1, kSeekEnd = 2 };
    virtual tresult JB_PLUGIN_API read(void* buffer, int32 numBytes, int32* numBytesRead) = 0;
    virtual tresult JB_PLUGIN_API write(void* buffer, int32 numBytes, int32* numBytesWritten) = 0;
    virtual tresult JB_PLUGIN_API seek(int64 pos, int32 mode, int64* result) = 0;
    virtual tresult JB_PLUGIN_API tell(int64* pos) = 0;
};

class IAttributeList : public FUnknown {
public:
    using AttrID = const char*;
    virtual tresult JB_PLUGIN_API setInt(AttrID id, int64 value) = 0;
    virtual tresult JB_PLUGIN_API getInt(AttrID id, int64* value) = 0;
    virtual tresult JB_PLUGIN_API setFloat(AttrID id, double value) = 0;
    virtual tresult JB_PLUGIN_API getFloat(AttrID id, double* value) = 0;
    virtual tresult JB_PLUGIN_API setString(AttrID id, const TChar* string) = 0;
    virtual tresult JB_PLUGIN_API getString(AttrID id, TChar* string, uint32 sizeInBytes) = 0;
    virtual tresult JB_PLUGIN_API setBinary(AttrID id, const void* data, uint32 sizeInBytes) = 0;
    virtual tresult JB_PLUGIN_API getBinary(AttrID id, const void** data, uint32* sizeInBytes) = 0;
};

class IMessage : public FUnknown {
public:
    virtual FIDString JB_PLUGIN_API getMessageID() = 0;
    virtual void JB_PLUGIN_API setMessageID(FIDString id) = 0;
    virtual IAttributeList* JB_PLUGIN_API getAttributes() = 0;
};

class IConnectionPoint : public FUnknown {
public:
    virtual tresult JB_PLUGIN_API connect(IConnectionPoint* other) = 0;
    virtual tresult JB_PLUGIN_API disconnect(IConnectionPoint* other) = 0;
    virtual tresult JB_PLUGIN_API notify(IMessage* message) = 0;
};

class IHostApplication : public FUnknown {
public:
    virtual tresult JB_PLUGIN_API getName(TChar* name /* String128 */) = 0;
    virtual tresult JB_PLUGIN_API createInstance(TUIDPtr cid, TUIDPtr iid, void** obj) = 0;
};

class IComponentHandler : public FUnknown {
public:
    enum { kReloadComponent = 1, kIoChanged = 2, kParamValuesChanged = 4, kLatencyChanged = 8,
           kParamTitlesChanged = 16 };
    virtual tresult JB_PLUGIN_API beginEdit(ParamID id) = 0;
    virtual tresult JB_PLUGIN_API performEdit(ParamID id, ParamValue valueNormalized) = 0;
    virtual tresult JB_PLUGIN_API endEdit(ParamID id) = 0;
    virtual tresult JB_PLUGIN_API restartComponent(int32 flags) = 0;
};

class IParamValueQueue : public FUnknown {
public:
    virtual ParamID JB_PLUGIN_API getParameterId() = 0;
    virtual int32 JB_PLUGIN_API getPointCount() = 0;
    virtual tresult JB_PLUGIN_API getPoint(int32 index, int32* sampleOffset, ParamValue* value) = 0;
    virtual tresult JB_PLUGIN_API addPoint(int32 sampleOffset, ParamValue value, int32* index) = 0;
};

class IParameterChanges : public FUnknown {
public:
    virtual int32 JB_PLUGIN_API getParameterCount() = 0;
    virtual IParamValueQueue* JB_PLUGIN_API getParameterData(int32 index) = 0;
    virtual IParamValueQueue* JB_PLUGIN_API addParameterData(const ParamID* id, int32* index) = 0;
};

class IEventList;   // MIDI: never used by the shim

// ---------------------------------------------------------------------------------------------
// Component and processor.
enum MediaType : int32 { kAudio = 0, kEvent = 1 };
enum BusDirection : int32 { kInput = 0, kOutput = 1 };
enum BusType : int32 { kMain = 0, kAux = 1 };
enum BusFlags : uint32 { kDefaultActive = 1, kIsControlVoltage = 2 };
enum ProcessMode : int32 { kRealtime = 0, kPrefetch = 1, kOffline = 2 };
enum SymbolicSampleSize : int32 { kSample32 = 0, kSample64 = 1 };
constexpr SpeakerArrangement kSpeakerL = 1ull << 0;
constexpr SpeakerArrangement kSpeakerR = 1ull << 1;
constexpr SpeakerArrangement kSpeakerM = 1ull << 19;
constexpr SpeakerArrangement kStereo = kSpeakerL | kSpeakerR;
constexpr SpeakerArrangement kMono = kSpeakerM;

struct BusInfo {
    int32 mediaType;
    int32 direction;
    int32 channelCount;
    String128 name;
    int32 busType;
    uint32 flags;
};
static_assert(sizeof(BusInfo) == 276, "BusInfo layout");
static_assert(offsetof(BusInfo, busType) == 268, "BusInfo layout");

struct RoutingInfo {
    int32 mediaType;
    int32 busIndex;
    int32 channel;
};
static_assert(sizeof(RoutingInfo) == 12, "RoutingInfo layout");

class IComponent : public IPluginBase {
public:
    virtual tresult JB_PLUGIN_API getControllerClassId(char* classId /* TUID out */) = 0;
    virtual tresult JB_PLUGIN_API setIoMode(int32 mode) = 0;
    virtual int32 JB_PLUGIN_API getBusCount(int32 type, int32 dir) = 0;
    virtual tresult JB_PLUGIN_API getBusInfo(int32 type, int32 dir, int32 index, BusInfo* bus) = 0;
    virtual tresult JB_PLUGIN_API getRoutingInfo(RoutingInfo* inInfo, RoutingInfo* outInfo) = 0;
    virtual tresult JB_PLUGIN_API activateBus(int32 type, int32 dir, int32 index, TBool state) = 0;
    virtual tresult JB_PLUGIN_API setActive(TBool state) = 0;
    virtual tresult JB_PLUGIN_API setState(IBStream* state) = 0;
    virtual tresult JB_PLUGIN_API getState(IBStream* state) = 0;
};

struct ProcessSetup {
    int32 processMode;
    int32 symbolicSampleSize;
    int32 maxSamplesPerBlock;
    double sampleRate;
};
static_assert(sizeof(ProcessSetup) == 24, "ProcessSetup layout");

struct AudioBusBuffers {
    int32 numChannels;
    uint64 silenceFlags;
    union {
        float** channelBuffers32;
        double** channelBuffers64;
    };
};
static_assert(sizeof(AudioBusBuffers) == 24, "AudioBusBuffers layout");

struct Chord {
    uint8 keyNote;
    uint8 rootNote;
    int16 chordMask;
};

struct FrameRate {
    uint32 framesPerSecond;
    uint32 flags;
};

struct ProcessContext {
    enum StatesAndFlags : uint32 {
        kPlaying = 1 << 1,
        kCycleActive = 1 << 2,
        kRecording = 1 << 3,
        kSystemTimeValid = 1 << 8,
        kProjectTimeMusicValid = 1 << 9,
        kTempoValid = 1 << 10,
        kBarPositionValid = 1 << 11,
        kCycleValid = 1 << 12,
        kTimeSigValid = 1 << 13,
        kSmpteValid = 1 << 14,
        kClockValid = 1 << 15,
        kContTimeValid = 1 << 17,
        kChordValid = 1 << 18,
    };
    uint32 state;
    double sampleRate;
    TSamples projectTimeSamples;
    int64 systemTime;
    TSamples continousTimeSamples;   // sic: the interface's spelling
    TQuarterNotes projectTimeMusic;
    TQuarterNotes barPositionMusic;
    TQuarterNotes cycleStartMusic;
    TQuarterNotes cycleEndMusic;
    double tempo;
    int32 timeSigNumerator;
    int32 timeSigDenominator;
    Chord chord;
    int32 smpteOffsetSubframes;
    FrameRate frameRate;
    int32 samplesToNextClock;
};
static_assert(sizeof(ProcessContext) == 112, "ProcessContext layout");
static_assert(offsetof(ProcessContext, cycleStartMusic) == 56, "ProcessContext layout");
static_assert(offsetof(ProcessContext, tempo) == 72, "ProcessContext layout");
static_assert(offsetof(ProcessContext, frameRate) == 96, "ProcessContext layout");

struct ProcessData {
    int32 processMode;
    int32 symbolicSampleSize;
    int32 numSamples;
    int32 numInputs;
    int32 numOutputs;
    AudioBusBuffers* inputs;
    AudioBusBuffers* outputs;
    IParameterChanges* inputParameterChanges;
    IParameterChanges* outputParameterChanges;
    IEventList* inputEvents;
    IEventList* outputEvents;
    ProcessContext* processContext;
};
static_assert(sizeof(ProcessData) == 80, "ProcessData layout");
static_assert(offsetof(ProcessData, processContext) == 72, "ProcessData layout");

class IAudioProcessor : public FUnknown {
public:
    virtual tresult JB_PLUGIN_API setBusArrangements(SpeakerArrangement* inputs, int32 numIns,
                                                     SpeakerArrangement* outputs, int32 numOuts) = 0;
    virtual tresult JB_PLUGIN_API getBusArrangement(int32 dir, int32 index, SpeakerArrangement* arr) = 0;
    virtual tresult JB_PLUGIN_API canProcessSampleSize(int32 symbolicSampleSize) = 0;
    virtual uint32 JB_PLUGIN_API getLatencySamples() = 0;
    virtual tresult JB_PLUGIN_API setupProcessing(ProcessSetup* setup) = 0;
    virtual tresult JB_PLUGIN_API setProcessing(TBool state) = 0;
    virtual tresult JB_PLUGIN_API process(ProcessData* data) = 0;
    virtual uint32 JB_PLUGIN_API getTailSamples() = 0;
};

class IProcessContextRequirements : public FUnknown {
public:
    enum : uint32 {
        kNeedSystemTime = 1 << 0, kNeedContinousTimeSamples = 1 << 1, kNeedProjectTimeMusic = 1 << 2,
        kNeedBarPositionMusic = 1 << 3, kNeedCycleMusic = 1 << 4, kNeedSamplesToNextClock = 1 << 5,
        kNeedTempo = 1 << 6, kNeedTimeSignature = 1 << 7, kNeedChord = 1 << 8, kNeedFrameRate = 1 << 9,
        kNeedTransportState = 1 << 10,
    };
    virtual uint32 JB_PLUGIN_API getProcessContextRequirements() = 0;
};

// ---------------------------------------------------------------------------------------------
// Controller.
struct ParameterInfo {
    enum Flags : int32 {
        kNoFlags = 0, kCanAutomate = 1, kIsReadOnly = 2, kIsWrapAround = 4, kIsList = 8, kIsHidden = 16,
        kIsProgramChange = 1 << 15, kIsBypass = 1 << 16,
    };
    ParamID id;
    String128 title;
    String128 shortTitle;
    String128 units;
    int32 stepCount;
    ParamValue defaultNormalizedValue;
    int32 unitId;
    int32 flags;
};
static_assert(sizeof(ParameterInfo) == 792, "ParameterInfo layout");
static_assert(offsetof(ParameterInfo, defaultNormalizedValue) == 776, "ParameterInfo layout");

class IPlugView;

class IEditController : public IPluginBase {
public:
    virtual tresult JB_PLUGIN_API setComponentState(IBStream* state) = 0;
    virtual tresult JB_PLUGIN_API setState(IBStream* state) = 0;
    virtual tresult JB_PLUGIN_API getState(IBStream* state) = 0;
    virtual int32 JB_PLUGIN_API getParameterCount() = 0;
    virtual tresult JB_PLUGIN_API getParameterInfo(int32 paramIndex, ParameterInfo* info) = 0;
    virtual tresult JB_PLUGIN_API getParamStringByValue(ParamID id, ParamValue valueNormalized,
                                                        TChar* string /* String128 */) = 0;
    virtual tresult JB_PLUGIN_API getParamValueByString(ParamID id, TChar* string,
                                                        ParamValue* valueNormalized) = 0;
    virtual ParamValue JB_PLUGIN_API normalizedParamToPlain(ParamID id, ParamValue valueNormalized) = 0;
    virtual ParamValue JB_PLUGIN_API plainParamToNormalized(ParamID id, ParamValue plainValue) = 0;
    virtual ParamValue JB_PLUGIN_API getParamNormalized(ParamID id) = 0;
    virtual tresult JB_PLUGIN_API setParamNormalized(ParamID id, ParamValue value) = 0;
    virtual tresult JB_PLUGIN_API setComponentHandler(IComponentHandler* handler) = 0;
    virtual IPlugView* JB_PLUGIN_API createView(FIDString name) = 0;
};

}  // namespace v3
