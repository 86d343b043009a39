// Driver API functions LWJGL 3.3.6 requires to be present but the stand-in does not implement:
// CUDA arrays, texture and surface references, graphics interop, the pre-CUDA-4 launch API and
// the context attach/detach pair. Each logs its name and returns CUDA_ERROR_NOT_SUPPORTED.
//
// This file deliberately does not include cuda.h: the functions take no parameters here. On
// x86-64 and AArch64 the caller owns its arguments (in registers or on its own stack frame), so
// a callee that ignores them is safe whatever signature the caller assumed.
#include <cstdio>

namespace {

constexpr int kNotSupported = 801;  // CUDA_ERROR_NOT_SUPPORTED

int unsupported(const char* name) {
    std::fprintf(stderr, "morphserve-standin: %s is not supported (CUDA_ERROR_NOT_SUPPORTED)\n", name);
    return kNotSupported;
}

}  // namespace

#define UNSUPPORTED(NAME) \
    extern "C" int NAME() { return unsupported(#NAME); }

UNSUPPORTED(cuCtxAttach)
UNSUPPORTED(cuCtxDetach)
UNSUPPORTED(cuModuleGetTexRef)
UNSUPPORTED(cuModuleGetSurfRef)
UNSUPPORTED(cuMemcpyDtoA_v2)
UNSUPPORTED(cuMemcpyAtoD_v2)
UNSUPPORTED(cuMemcpyHtoA_v2)
UNSUPPORTED(cuMemcpyAtoH_v2)
UNSUPPORTED(cuMemcpyAtoA_v2)
UNSUPPORTED(cuMemcpy3D_v2)
UNSUPPORTED(cuMemcpyHtoAAsync_v2)
UNSUPPORTED(cuMemcpyAtoHAsync_v2)
UNSUPPORTED(cuMemcpy3DAsync_v2)
UNSUPPORTED(cuArrayCreate_v2)
UNSUPPORTED(cuArrayGetDescriptor_v2)
UNSUPPORTED(cuArrayDestroy)
UNSUPPORTED(cuArray3DCreate_v2)
UNSUPPORTED(cuArray3DGetDescriptor_v2)
UNSUPPORTED(cuFuncSetBlockShape)
UNSUPPORTED(cuFuncSetSharedSize)
UNSUPPORTED(cuParamSetSize)
UNSUPPORTED(cuParamSeti)
UNSUPPORTED(cuParamSetf)
UNSUPPORTED(cuParamSetv)
UNSUPPORTED(cuLaunch)
UNSUPPORTED(cuLaunchGrid)
UNSUPPORTED(cuLaunchGridAsync)
UNSUPPORTED(cuParamSetTexRef)
UNSUPPORTED(cuTexRefSetArray)
UNSUPPORTED(cuTexRefSetMipmappedArray)
UNSUPPORTED(cuTexRefSetAddress_v2)
UNSUPPORTED(cuTexRefSetAddress2D_v3)
UNSUPPORTED(cuTexRefSetFormat)
UNSUPPORTED(cuTexRefSetAddressMode)
UNSUPPORTED(cuTexRefSetFilterMode)
UNSUPPORTED(cuTexRefSetMipmapFilterMode)
UNSUPPORTED(cuTexRefSetMipmapLevelBias)
UNSUPPORTED(cuTexRefSetMipmapLevelClamp)
UNSUPPORTED(cuTexRefSetMaxAnisotropy)
UNSUPPORTED(cuTexRefSetBorderColor)
UNSUPPORTED(cuTexRefSetFlags)
UNSUPPORTED(cuTexRefGetAddress_v2)
UNSUPPORTED(cuTexRefGetArray)
UNSUPPORTED(cuTexRefGetMipmappedArray)
UNSUPPORTED(cuTexRefGetAddressMode)
UNSUPPORTED(cuTexRefGetFilterMode)
UNSUPPORTED(cuTexRefGetFormat)
UNSUPPORTED(cuTexRefGetMipmapFilterMode)
UNSUPPORTED(cuTexRefGetMipmapLevelBias)
UNSUPPORTED(cuTexRefGetMipmapLevelClamp)
UNSUPPORTED(cuTexRefGetMaxAnisotropy)
UNSUPPORTED(cuTexRefGetBorderColor)
UNSUPPORTED(cuTexRefGetFlags)
UNSUPPORTED(cuTexRefCreate)
UNSUPPORTED(cuTexRefDestroy)
UNSUPPORTED(cuSurfRefSetArray)
UNSUPPORTED(cuSurfRefGetArray)
UNSUPPORTED(cuGraphicsUnregisterResource)
UNSUPPORTED(cuGraphicsSubResourceGetMappedArray)
UNSUPPORTED(cuGraphicsResourceGetMappedPointer_v2)
UNSUPPORTED(cuGraphicsResourceSetMapFlags_v2)
UNSUPPORTED(cuGraphicsMapResources)
UNSUPPORTED(cuGraphicsUnmapResources)
UNSUPPORTED(cuGetExportTable)
