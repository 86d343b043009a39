#include "ptx.h"

#include <cctype>
#include <cstdlib>
#include <map>
#include <set>

namespace standin {
namespace {

// Comments removed, string literals kept.
std::string stripComments(const std::string& in) {
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size();) {
        const char c = in[i];
        if (c == '"') {
            size_t j = i + 1;
            while (j < in.size() && in[j] != '"') j += in[j] == '\\' ? 2 : 1;
            j = j < in.size() ? j + 1 : in.size();
            out.append(in, i, j - i);
            i = j;
        } else if (c == '/' && i + 1 < in.size() && in[i + 1] == '/') {
            while (i < in.size() && in[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < in.size() && in[i + 1] == '*') {
            const size_t end = in.find("*/", i + 2);
            i = end == std::string::npos ? in.size() : end + 2;
            out.push_back(' ');
        } else {
            out.push_back(c);
            ++i;
        }
    }
    return out;
}

bool wordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '%' || c == '.';
}

std::vector<std::string> tokenize(const std::string& text) {
    std::vector<std::string> tokens;
    for (size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '"') {
            size_t j = i + 1;
            while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
            j = j < text.size() ? j + 1 : text.size();
            tokens.push_back(text.substr(i, j - i));
            i = j;
        } else if (wordChar(c)) {
            size_t j = i;
            while (j < text.size() && wordChar(text[j])) ++j;
            tokens.push_back(text.substr(i, j - i));
            i = j;
        } else {
            tokens.emplace_back(1, c);
            ++i;
        }
    }
    return tokens;
}

size_t typeSize(const std::string& t) {
    static const std::map<std::string, size_t> sizes = {
        {".b8", 1},  {".u8", 1},  {".s8", 1},  {".b16", 2}, {".u16", 2},  {".s16", 2},  {".f16", 2},
        {".bf16", 2}, {".b32", 4}, {".u32", 4}, {".s32", 4}, {".f32", 4},  {".f16x2", 4}, {".bf16x2", 4},
        {".b64", 8}, {".u64", 8}, {".s64", 8}, {".f64", 8}, {".b128", 16}, {".pred", 1},
    };
    auto it = sizes.find(t);
    return it == sizes.end() ? 0 : it->second;
}

bool isIdentifier(const std::string& t) {
    if (t.empty() || t[0] == '.' || t[0] == '"') return false;
    const char c = t[0];
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '%';
}

bool isNumber(const std::string& t) {
    return !t.empty() && std::isdigit(static_cast<unsigned char>(t[0]));
}

// A variable declaration (parameter or .shared variable): tokens [begin, end).
// Size = type size x array dimensions (an empty dimension, as in `.extern .shared ... x[]`, is 0).
struct Declaration {
    std::string name;
    size_t size = 0;
    bool typed = false;
    std::string text;
};

Declaration readDeclaration(const std::vector<std::string>& tok, size_t begin, size_t end) {
    Declaration d;
    size_t elem = 0;
    size_t count = 1;
    bool sawName = false;
    for (size_t i = begin; i < end; ++i) {
        const std::string& t = tok[i];
        if (!d.text.empty() && t != "[" && t != "]" && d.text.back() != '[') d.text += ' ';
        d.text += t;
        if (!sawName) {
            if (const size_t s = typeSize(t); s != 0 && elem == 0) {
                elem = s;
                d.typed = true;
            } else if (isIdentifier(t)) {
                d.name = t;
                sawName = true;
            }
        } else if (t == "[") {
            if (i + 1 < end && isNumber(tok[i + 1])) {
                count *= std::strtoull(tok[i + 1].c_str(), nullptr, 0);
            } else {
                count = 0;  // unsized: extern shared memory
            }
        }
    }
    d.size = elem * count;
    return d;
}

size_t matching(const std::vector<std::string>& tok, size_t open, const char* o, const char* c) {
    int depth = 0;
    for (size_t i = open; i < tok.size(); ++i) {
        if (tok[i] == o) ++depth;
        if (tok[i] == c && --depth == 0) return i;
    }
    return std::string::npos;
}

}  // namespace

bool parsePtx(const std::string& text, PtxModule* out, std::string* error) {
    const std::vector<std::string> tok = tokenize(stripComments(text));
    PtxModule m;
    std::map<std::string, size_t> moduleShared;  // static .shared variables at module scope
    struct Body {
        size_t begin, end;
    };
    std::vector<Body> bodies;  // per entry, in m.entries order
    for (size_t i = 0; i < tok.size(); ++i) {
        const std::string& t = tok[i];
        if (t == "{") {  // a .func body or anything else at module scope: skip it
            const size_t close = matching(tok, i, "{", "}");
            if (close == std::string::npos) {
                *error = "unbalanced braces";
                return false;
            }
            i = close;
        } else if (t == ".version" && i + 1 < tok.size()) {
            m.version = tok[++i];
        } else if (t == ".target" && i + 1 < tok.size()) {
            m.target = tok[++i];
        } else if (t == ".shared") {
            size_t start = i;
            if (i > 0 && tok[i - 1] == ".extern") start = i - 1;
            size_t semi = i;
            while (semi < tok.size() && tok[semi] != ";") ++semi;
            const Declaration d = readDeclaration(tok, start, semi);
            if (!d.name.empty() && tok[start] != ".extern") moduleShared[d.name] = d.size;
            i = semi;
        } else if (t == ".entry") {
            if (i + 1 >= tok.size() || !isIdentifier(tok[i + 1])) {
                *error = "an .entry without a name";
                return false;
            }
            PtxEntry e;
            e.name = tok[++i];
            size_t j = i + 1;
            if (j < tok.size() && tok[j] == "(") {
                const size_t close = matching(tok, j, "(", ")");
                if (close == std::string::npos) {
                    *error = "unbalanced parameter list of entry " + e.name;
                    return false;
                }
                size_t start = j + 1;
                for (size_t k = j + 1; k <= close; ++k) {
                    if (tok[k] != "," && k != close) continue;
                    if (k > start) {
                        const Declaration d = readDeclaration(tok, start, k);
                        if (tok[start] != ".param" || !d.typed || d.name.empty()) {
                            *error = "entry " + e.name + ": cannot read parameter `" + d.text + "`";
                            return false;
                        }
                        e.params.push_back(PtxParam{d.name, d.text, d.size});
                    }
                    start = k + 1;
                }
                j = close + 1;
            }
            // Performance directives up to the body.
            while (j < tok.size() && tok[j] != "{" && tok[j] != ";") {
                if (tok[j] == ".maxntid" || tok[j] == ".reqntid") {
                    unsigned* dims = tok[j] == ".maxntid" ? e.maxntid : e.reqntid;
                    dims[0] = dims[1] = dims[2] = 1;
                    size_t k = j + 1;
                    for (int d = 0; d < 3 && k < tok.size() && isNumber(tok[k]); ++d) {
                        dims[d] = static_cast<unsigned>(std::strtoul(tok[k].c_str(), nullptr, 0));
                        k += (k + 1 < tok.size() && tok[k + 1] == ",") ? 2 : 1;
                    }
                    j = k;
                } else {
                    ++j;
                }
            }
            if (j >= tok.size()) {
                *error = "entry " + e.name + " has no body";
                return false;
            }
            Body body{j, j};
            if (tok[j] == "{") {
                body.end = matching(tok, j, "{", "}");
                if (body.end == std::string::npos) {
                    *error = "unbalanced braces in entry " + e.name;
                    return false;
                }
            }
            m.entries.push_back(std::move(e));
            bodies.push_back(body);
            i = body.end;
        }
    }
    if (m.version.empty() || m.target.empty()) {
        *error = "no .version / .target directive: not PTX";
        return false;
    }
    for (size_t n = 0; n < m.entries.size(); ++n) {
        std::set<std::string> counted;
        size_t bytes = 0;
        for (size_t k = bodies[n].begin; k < bodies[n].end; ++k) {
            const std::string& t = tok[k];
            if (t == ".shared" && k + 1 < bodies[n].end && !(k > 0 && tok[k - 1] == ".extern")) {
                size_t semi = k;
                while (semi < bodies[n].end && tok[semi] != ";") ++semi;
                const Declaration d = readDeclaration(tok, k, semi);
                // Declarations start with the state space; instructions use ld.shared etc.
                if (d.typed && !d.name.empty() && counted.insert(d.name).second) bytes += d.size;
                k = semi;
                continue;
            }
            if (!isIdentifier(t)) continue;
            auto it = moduleShared.find(t);
            if (it != moduleShared.end() && counted.insert(t).second) bytes += it->second;
        }
        m.entries[n].staticSharedBytes = bytes;
    }
    *out = std::move(m);
    return true;
}

}  // namespace standin
