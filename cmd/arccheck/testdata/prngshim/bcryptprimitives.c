/*
 * A stand-in for Windows' bcryptprimitives.dll, for running arccheck.exe under wine 8 in the tests.
 *
 * Why: Go 1.24 and later take their random numbers from ProcessPrng in bcryptprimitives.dll, which
 * Windows 10 and later have; wine 8 (Debian 12's) does not export it, so a Go binary stops at start-up
 * under it. This DLL exports ProcessPrng on top of RtlGenRandom (advapi32's SystemFunction036), which
 * wine has. It is built with mingw-w64 and put in the wine prefix's system32, where Go looks for it; it
 * is never shipped: real Windows has the real one.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		length -= chunk;
	}
	return TRUE;
}
