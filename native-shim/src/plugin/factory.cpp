// The module's entry points and its class factory (IPluginFactory3): one processor class ("Audio Module
// Class", subcategory Fx) and one controller class. Threads: [main-thread].
#include <cstring>

#include "abi/vst3_abi.h"
#include "plugin/controller.h"
#include "plugin/ids.h"
#include "plugin/processor.h"
#include "plugin/refcount.h"

#if defined(_WIN32)
#define JB_EXPORT extern "C" __declspec(dllexport)
#else
#define JB_EXPORT extern "C" __attribute__((visibility("default")))
#endif

namespace jb {
namespace {

void copy(char* dst, const char* src, std::size_t size) {
    std::strncpy(dst, src, size - 1);
    dst[size - 1] = '\0';
}

struct ClassEntry {
    const v3::Uid* cid;
    const char* category;
    const char* name;
    const char* subCategories;
};

const ClassEntry kClasses[] = {
    {&kProcessorCid, "Audio Module Class", "JukeboxBridge", "Fx|Generator"},
    {&kControllerCid, "Component Controller Class", "JukeboxBridge Controller", ""},
};
constexpr int kClassCount = 2;

class Factory final : public v3::IPluginFactory3 {
public:
    v3::tresult JB_PLUGIN_API queryInterface(v3::TUIDPtr iid, void** obj) override {
        if (obj == nullptr) return v3::kInvalidArgument;
        if (v3::kFUnknownIid.equals(iid) || v3::kIPluginFactoryIid.equals(iid) || v3::kIPluginFactory2Iid.equals(iid) ||
            v3::kIPluginFactory3Iid.equals(iid)) {
            *obj = this;
            return v3::kResultOk;
        }
        *obj = nullptr;
        return v3::kNoInterface;
    }
    // A static object: counting is not needed, release never deletes it.
    v3::uint32 JB_PLUGIN_API addRef() override { return 1; }
    v3::uint32 JB_PLUGIN_API release() override { return 1; }

    v3::tresult JB_PLUGIN_API getFactoryInfo(v3::PFactoryInfo* info) override {
        if (info == nullptr) return v3::kInvalidArgument;
        std::memset(info, 0, sizeof *info);
        copy(info->vendor, kVendor, sizeof info->vendor);
        copy(info->url, "https://github.com/", sizeof info->url);
        copy(info->email, "", sizeof info->email);
        info->flags = v3::PFactoryInfo::kUnicode;
        return v3::kResultOk;
    }
    v3::int32 JB_PLUGIN_API countClasses() override { return kClassCount; }
    v3::tresult JB_PLUGIN_API getClassInfo(v3::int32 index, v3::PClassInfo* info) override {
        if (index < 0 || index >= kClassCount || info == nullptr) return v3::kInvalidArgument;
        std::memset(info, 0, sizeof *info);
        std::memcpy(info->cid, kClasses[index].cid->b, 16);
        info->cardinality = v3::PClassInfo::kManyInstances;
        copy(info->category, kClasses[index].category, sizeof info->category);
        copy(info->name, kClasses[index].name, sizeof info->name);
        return v3::kResultOk;
    }
    v3::tresult JB_PLUGIN_API getClassInfo2(v3::int32 index, v3::PClassInfo2* info) override {
        if (index < 0 || index >= kClassCount || info == nullptr) return v3::kInvalidArgument;
        std::memset(info, 0, sizeof *info);
        std::memcpy(info->cid, kClasses[index].cid->b, 16);
        info->cardinality = v3::PClassInfo::kManyInstances;
        copy(info->category, kClasses[index].category, sizeof info->category);
        copy(info->name, kClasses[index].name, sizeof info->name);
        copy(info->subCategories, kClasses[index].subCategories, sizeof info->subCategories);
        copy(info->vendor, kVendor, sizeof info->vendor);
        copy(info->version, kVersion, sizeof info->version);
        copy(info->sdkVersion, kSdkVersion, sizeof info->sdkVersion);
        return v3::kResultOk;
    }
    v3::tresult JB_PLUGIN_API getClassInfoUnicode(v3::int32 index, v3::PClassInfoW* info) override {
        if (index < 0 || index >= kClassCount || info == nullptr) return v3::kInvalidArgument;
        std::memset(info, 0, sizeof *info);
        std::memcpy(info->cid, kClasses[index].cid->b, 16);
        info->cardinality = v3::PClassInfo::kManyInstances;
        copy(info->category, kClasses[index].category, sizeof info->category);
        toString128(kClasses[index].name, info->name, 64);
        copy(info->subCategories, kClasses[index].subCategories, sizeof info->subCategories);
        toString128(kVendor, info->vendor, 64);
        toString128(kVersion, info->version, 64);
        toString128(kSdkVersion, info->sdkVersion, 64);
        return v3::kResultOk;
    }
    v3::tresult JB_PLUGIN_API setHostContext(v3::FUnknown*) override { return v3::kResultOk; }

    v3::tresult JB_PLUGIN_API createInstance(v3::FIDString cid, v3::FIDString iid, void** obj) override {
        if (obj == nullptr) return v3::kInvalidArgument;
        *obj = nullptr;
        v3::FUnknown* created = nullptr;
        if (kProcessorCid.equals(cid)) created = static_cast<v3::IComponent*>(new Processor());
        else if (kControllerCid.equals(cid)) created = static_cast<v3::IEditController*>(new Controller());
        else return v3::kNoInterface;
        const v3::tresult r = created->queryInterface(iid, obj);
        created->release();   // the creation reference: the queried one keeps it alive
        return r;
    }
};

Factory gFactory;

}  // namespace
}  // namespace jb

JB_EXPORT v3::IPluginFactory* JB_PLUGIN_API GetPluginFactory() { return &jb::gFactory; }

#if defined(__APPLE__)
JB_EXPORT bool bundleEntry(void*) { return true; }
JB_EXPORT bool bundleExit() { return true; }
#elif defined(_WIN32)
JB_EXPORT bool InitDll() { return true; }
JB_EXPORT bool ExitDll() { return true; }
#else
JB_EXPORT bool ModuleEntry(void*) { return true; }
JB_EXPORT bool ModuleExit() { return true; }
#endif
