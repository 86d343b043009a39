# The stand-in libcuda.so: the CUDA driver API (as LWJGL 3.3.6 binds it) over the CPU emulator,
# with every kernel of src/main/cuda compiled in, so the Java CUDA backend runs without a GPU.
# Included by ../Makefile, whose variables (OUT, CXX, CUDA_INCLUDE, EMU_DIR, EMU_HEADERS,
# KERNEL_DIR, KERNEL_SRCS, KERNEL_HEADERS, TSAN_FLAGS, TSAN_ENV, ASAN_FLAGS, ASAN_ENV) it uses.
#   make -C src/test/cuda standin            -> $(OUT)/libcuda.so
#   make -C src/test/cuda check-standin      builds it and runs standin_test against it
#   make -C src/test/cuda check-standin-tsan the same with ThreadSanitizer (library and test)
#   make -C src/test/cuda check-standin-asan the same with AddressSanitizer + UBSan
# Java: -Dorg.lwjgl.cuda.libname=<absolute path of $(OUT)/libcuda.so>

STANDIN_DIR := $(HERE)/standin
STANDIN_OUT := $(abspath $(OUT))/standin
STANDIN_LIB := $(abspath $(OUT))/libcuda.so
STANDIN_LIB_TSAN := $(STANDIN_OUT)/tsan/libcuda.so
STANDIN_LIB_ASAN := $(STANDIN_OUT)/asan/libcuda.so

STANDIN_CORE := registry memory faults streams ptx module errors device api unsupported
STANDIN_HEADERS := $(wildcard $(STANDIN_DIR)/*.h)
# Sorted as build.sh sorts them; the self-test kernels last.
STANDIN_KERNEL_SRCS := $(sort $(KERNEL_SRCS)) $(STANDIN_DIR)/standin_selftest_kernels.cu
STANDIN_GEN := $(STANDIN_OUT)/gen

STANDIN_CXXFLAGS := -std=c++17 -g -fPIC -pthread -Wall -Wextra -I$(CUDA_INCLUDE)
# The kernels as ../Makefile's kernel tests build them, plus -fPIC and the generated includes.
STANDIN_KERNEL_CXXFLAGS := -std=c++17 -fPIC -pthread -Wall -Wextra -Wno-unknown-pragmas \
	-isystem $(EMU_DIR) -isystem $(CUDA_INCLUDE) -I$(KERNEL_DIR) -I$(STANDIN_DIR) -I$(STANDIN_GEN)
STANDIN_LDFLAGS := -shared -pthread -Wl,--version-script=$(STANDIN_DIR)/exports.map \
	-Wl,-soname,libcuda.so.1 -Wl,--no-undefined -ldl

# The kernel registry, generated: an #include line per kernel source, and an ENTRY(name) line per
# `extern "C" __global__ void [__launch_bounds__(...)] name(` in them (line comments dropped, lines
# joined, as a declaration may span lines). Regenerated on every make, but rewritten only when the
# text changes, so that adding or renaming a kernel (or a source) is picked up without forcing
# rebuilds otherwise.
STANDIN_KERNEL_DECL := extern[[:space:]]+"C"[[:space:]]+__global__[[:space:]]+void[[:space:]]+(__launch_bounds__[[:space:]]*\([^)]*\)[[:space:]]*)?[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(
STANDIN_SCAN = sed -e 's://.*$$::' $(1) | tr '\n' ' ' | { grep -oE '$(STANDIN_KERNEL_DECL)' || true; } \
	| sed -E 's/^.*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*\($$/ENTRY(\1)/'
STANDIN_REGISTRY_INC := $(STANDIN_GEN)/kernel_sources.inc $(STANDIN_GEN)/kernel_entries.inc

.PHONY: standin standin-tsan standin-asan check-standin check-standin-tsan check-standin-asan standin-registry FORCE

$(STANDIN_REGISTRY_INC): standin-registry
	@:

standin-registry: FORCE
	@mkdir -p $(STANDIN_GEN)
	@for f in $(STANDIN_KERNEL_SRCS); do echo "#include \"$$f\""; done >$(STANDIN_GEN)/kernel_sources.inc.tmp
	@{ $(foreach f,$(STANDIN_KERNEL_SRCS),$(call STANDIN_SCAN,$(f)) &&) true; } >$(STANDIN_GEN)/kernel_entries.inc.tmp
	@for f in kernel_sources.inc kernel_entries.inc; do \
		if cmp -s $(STANDIN_GEN)/$$f.tmp $(STANDIN_GEN)/$$f; then rm $(STANDIN_GEN)/$$f.tmp; \
		else mv $(STANDIN_GEN)/$$f.tmp $(STANDIN_GEN)/$$f; echo "kernel registry: $(STANDIN_GEN)/$$f"; fi; \
	done

FORCE:

STANDIN_KERNEL_DEPS := $(STANDIN_DIR)/kernels.cpp $(STANDIN_REGISTRY_INC) $(STANDIN_KERNEL_SRCS) $(STANDIN_HEADERS) \
	$(KERNEL_HEADERS) $(EMU_HEADERS)

$(STANDIN_OUT)/obj/kernels.o: $(STANDIN_KERNEL_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) $(STANDIN_KERNEL_CXXFLAGS) -O2 -c -o $@ $(STANDIN_DIR)/kernels.cpp

$(STANDIN_OUT)/obj-tsan/kernels.o: $(STANDIN_KERNEL_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) $(STANDIN_KERNEL_CXXFLAGS) -O1 -g $(TSAN_FLAGS) -c -o $@ $(STANDIN_DIR)/kernels.cpp

$(STANDIN_OUT)/obj-asan/kernels.o: $(STANDIN_KERNEL_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) $(STANDIN_KERNEL_CXXFLAGS) -O1 -g $(ASAN_FLAGS) -c -o $@ $(STANDIN_DIR)/kernels.cpp

$(STANDIN_OUT)/obj/%.o: $(STANDIN_DIR)/%.cpp $(STANDIN_HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) $(STANDIN_CXXFLAGS) -O2 -c -o $@ $<

$(STANDIN_OUT)/obj-tsan/%.o: $(STANDIN_DIR)/%.cpp $(STANDIN_HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) $(STANDIN_CXXFLAGS) -O1 $(TSAN_FLAGS) -c -o $@ $<

$(STANDIN_OUT)/obj-asan/%.o: $(STANDIN_DIR)/%.cpp $(STANDIN_HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) $(STANDIN_CXXFLAGS) -O1 $(ASAN_FLAGS) -c -o $@ $<

STANDIN_OBJS := $(STANDIN_CORE:%=$(STANDIN_OUT)/obj/%.o) $(STANDIN_OUT)/obj/kernels.o
STANDIN_OBJS_TSAN := $(STANDIN_CORE:%=$(STANDIN_OUT)/obj-tsan/%.o) $(STANDIN_OUT)/obj-tsan/kernels.o
STANDIN_OBJS_ASAN := $(STANDIN_CORE:%=$(STANDIN_OUT)/obj-asan/%.o) $(STANDIN_OUT)/obj-asan/kernels.o

$(STANDIN_LIB): $(STANDIN_OBJS) $(STANDIN_DIR)/exports.map
	@mkdir -p $(dir $@)
	$(CXX) -o $@ $(STANDIN_OBJS) $(STANDIN_LDFLAGS)

$(STANDIN_LIB_TSAN): $(STANDIN_OBJS_TSAN) $(STANDIN_DIR)/exports.map
	@mkdir -p $(dir $@)
	$(CXX) $(TSAN_FLAGS) -o $@ $(STANDIN_OBJS_TSAN) $(STANDIN_LDFLAGS)

$(STANDIN_LIB_ASAN): $(STANDIN_OBJS_ASAN) $(STANDIN_DIR)/exports.map
	@mkdir -p $(dir $@)
	$(CXX) $(ASAN_FLAGS) -o $@ $(STANDIN_OBJS_ASAN) $(STANDIN_LDFLAGS)

standin: $(STANDIN_LIB)
standin-tsan: $(STANDIN_LIB_TSAN)
standin-asan: $(STANDIN_LIB_ASAN)

# PTX the test loads: its own kernels, and the project's module as build.sh makes it. Without
# nvcc neither is written and the test skips what needs them.
$(STANDIN_OUT)/standin_selftest.ptx: $(STANDIN_DIR)/standin_selftest_kernels.cu
	@mkdir -p $(dir $@)
	@if command -v nvcc >/dev/null 2>&1; then \
		echo "nvcc -ptx $<"; nvcc -std=c++17 -arch=compute_80 -ptx -o $@ $<; \
	else echo "nvcc not found: $@ not built"; fi

$(STANDIN_OUT)/ptx/morphserve.ptx: $(KERNEL_SRCS) $(KERNEL_HEADERS) $(KERNEL_DIR)/build.sh
	$(KERNEL_DIR)/build.sh $(STANDIN_OUT)/ptx

STANDIN_TEST_DEPS := $(STANDIN_DIR)/standin_test.cpp
STANDIN_TEST_CXXFLAGS := -std=c++17 -g -Wall -Wextra -pthread -I$(CUDA_INCLUDE)
STANDIN_PTX := $(STANDIN_OUT)/standin_selftest.ptx $(STANDIN_OUT)/ptx/morphserve.ptx

$(STANDIN_OUT)/standin_test: $(STANDIN_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) $(STANDIN_TEST_CXXFLAGS) -O1 -o $@ $< -ldl

$(STANDIN_OUT)/standin_test_tsan: $(STANDIN_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) $(STANDIN_TEST_CXXFLAGS) -O1 $(TSAN_FLAGS) -o $@ $< -ldl

$(STANDIN_OUT)/standin_test_asan: $(STANDIN_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) $(STANDIN_TEST_CXXFLAGS) -O1 $(ASAN_FLAGS) -o $@ $< -ldl

check-standin: $(STANDIN_LIB) $(STANDIN_OUT)/standin_test $(STANDIN_PTX)
	$(STANDIN_OUT)/standin_test $(STANDIN_LIB) $(STANDIN_PTX)

# The fault case is left out under the sanitizers: recovering from a fault jumps out of a kernel's
# fiber, which neither TSan nor ASan can follow.
check-standin-tsan: $(STANDIN_LIB_TSAN) $(STANDIN_OUT)/standin_test_tsan $(STANDIN_PTX)
	$(TSAN_ENV) STANDIN_TEST_SKIP=fault $(STANDIN_OUT)/standin_test_tsan $(STANDIN_LIB_TSAN) $(STANDIN_PTX)

check-standin-asan: $(STANDIN_LIB_ASAN) $(STANDIN_OUT)/standin_test_asan $(STANDIN_PTX)
	$(ASAN_ENV) STANDIN_TEST_SKIP=fault $(STANDIN_OUT)/standin_test_asan $(STANDIN_LIB_ASAN) $(STANDIN_PTX)
