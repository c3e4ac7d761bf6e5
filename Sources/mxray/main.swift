import MXRayCLI
#if canImport(Glibc)
import Glibc
#endif

exit(await MXRayMain.run())
