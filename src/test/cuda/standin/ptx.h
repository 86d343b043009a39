// A reader for the parts of PTX text the stand-in needs: the version and target, and every
// .entry with its .param list (sizes in bytes, as the driver lays out kernel parameters), its
// launch bounds (.maxntid / .reqntid) and the static shared memory it uses.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace standin {

struct PtxParam {
    std::string name;
    std::string declaration;  // ".param .u64 .ptr .align 1 add_f32_param_0", for messages
    size_t size = 0;
};

struct PtxEntry {
    std::string name;
    std::vector<PtxParam> params;
    unsigned maxntid[3] = {0, 0, 0};  // 0: not given
    unsigned reqntid[3] = {0, 0, 0};
    size_t staticSharedBytes = 0;     // .shared variables the entry's body refers to
};

struct PtxModule {
    std::string version;  // "8.8"
    std::string target;   // "sm_80"
    std::vector<PtxEntry> entries;
};

// False, with *error set, when the text is not PTX this reader understands.
bool parsePtx(const std::string& text, PtxModule* out, std::string* error);

}  // namespace standin
