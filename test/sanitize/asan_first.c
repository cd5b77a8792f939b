/*-------------------------------------------------------------------------
 *
 * asan_first.c
 *		Start AddressSanitizer before any other library's constructor runs.
 *
 * The sanitizer suite loads an instrumented cjourney into Debian's stock
 * (uninstrumented) server, so the ASan runtime must be preloaded:
 *
 *	LD_PRELOAD="<asan runtime>:asan_first.so" postgres ...
 *
 * Preloading the runtime alone hangs PostgreSQL's binaries on Debian 12: a
 * dependency's constructor (libgpg-error's) calls bindtextdomain(), whose
 * malloc() is ASan's, and ASan initialises itself there, inside glibc's
 * locale lock, and deadlocks on it.  This object is linked with
 * -z initfirst, so the dynamic linker runs its constructor before every
 * other one, and that constructor initialises ASan while no lock is held.
 *
 * Built by test/suites/sanitizers.sh; not part of the extension.
 *
 *-------------------------------------------------------------------------
 */

extern void __asan_init(void);

static void asan_first(void) __attribute__((constructor));

static void
asan_first(void)
{
	__asan_init();
}
