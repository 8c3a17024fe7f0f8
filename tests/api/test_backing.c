/*
 * test_backing: the backing kinds of a machine description (docs/MACHINE.md):
 * memfd, file PATH (contents persist across machines), hugetlbfs (a clear
 * error without reserved huge pages; success when the test may reserve some),
 * shm NAME (another process sees the pages), external memory through
 * pf_machine_create_with_memory, and each refusal naming its line.
 *
 * The window of a file, memfd or shm backing runs from pfn 0 to the end of
 * the machine's last 128 MiB section (docs/DESIGN.md "Backings"): for
 * "mem 0 0x1000-0x3fffffff" the highest pfn is 0x3ffff, so the window is
 * 0x40000 pages = 1 GiB; for "mem 0 0x1000-0x7ffffff" it is 128 MiB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

#define GIB (1ULL << 30)

static char tmpdir[64];
static char shm_name[64];	/* unlinked by teardown too, should a test fail before it does */

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/pf-backing-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	if (shm_name[0])
		shm_unlink(shm_name);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* pf_machine_create must refuse @desc with a message that starts with @prefix and holds @part. */
static void expect_refused(const char *desc, const char *prefix, const char *part)
{
	char err[768];
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (m) {
		pf_machine_destroy(m);
		fail_msg("booted, expected a refusal: %s", desc);
	}
	if (strncmp(err, prefix, strlen(prefix)) || (part && !strstr(err, part)))
		fail_msg("message '%s' lacks '%s' ... '%s'", err, prefix, part ? part : "");
}

/* Allocate the pages of every order once, write through the address of each, free them. */
static void exercise(struct pf_machine *m)
{
	for (unsigned o = 0; o <= PF_MAX_PAGE_ORDER; o++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, o);
		assert_non_null(p);
		char *a = pf_page_address(p);
		assert_non_null(a);
		memset(a, 0x5a, 4096UL << o);
		assert_ptr_equal(pf_virt_to_page(m, a + (4096UL << o) - 1), (char *)p + ((1UL << o) - 1) * 64);
		pf_free_pages(p, o);
	}
	pf_test_check(m, "after every order");
}

static void memfd_boots(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("mem 0 0x1000-0x3fffffff\nbacking memfd\n");
	exercise(m);
	pf_machine_destroy(m);
}

/*
 * Pages a machine has free hold what another machine on the same memory wrote, and an
 * AddressSanitizer build of the library poisons free pages for ASan: such pages are read and
 * written here as the shared memory they are.
 */
__attribute__((no_sanitize("address"))) static void shared_copy(void *dst, const void *src, size_t n)
{
	volatile char *d = dst;
	const volatile char *s = src;
	while (n--)
		*d++ = *s++;
}

static uint64_t read_word(struct pf_machine *m, unsigned long pfn)
{
	uint64_t v;
	shared_copy(&v, pf_page_address(pf_pfn_to_page(m, pfn)), sizeof v);
	return v;
}

static void file_persists(void **state)
{
	(void)state;
	char path[128], desc[256];
	unsigned long pfns[8];
	snprintf(path, sizeof path, "%s/machine.mem", tmpdir);
	snprintf(desc, sizeof desc, "mem 0 0x1000-0x3fffffff\nbacking file %s\n", path);

	struct pf_machine *m = pf_test_boot(desc);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((unsigned long long)st.st_size, GIB);	/* 0x40000 pages: the header's working */
	exercise(m);
	for (int i = 0; i < 8; i++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
		assert_non_null(p);
		pfns[i] = pf_page_to_pfn(p);
		uint64_t stamp = pf_test_stamp_of(pfns[i], 7);
		memcpy(pf_page_address(p), &stamp, sizeof stamp);
		/* the file holds pfn N at offset N * 4096 */
		int fd = open(path, O_RDONLY);
		uint64_t got = 0;
		assert_int_equal(pread(fd, &got, sizeof got, (off_t)pfns[i] * 4096), (ssize_t)sizeof got);
		close(fd);
		assert_true(got == stamp);
	}
	pf_machine_destroy(m);	/* the pages were never freed: the file keeps them */

	m = pf_test_boot(desc);
	for (int i = 0; i < 8; i++) {
		/* take exactly that pfn back, without zeroing, and read it */
		assert_int_equal(pf_alloc_contig_range(m, pfns[i], pfns[i] + 1, PF_GFP_KERNEL), 0);
		assert_true(read_word(m, pfns[i]) == pf_test_stamp_of(pfns[i], 7));
		pf_free_pages(pf_pfn_to_page(m, pfns[i]), 0);
	}
	pf_test_check(m, "second machine on the file");
	pf_machine_destroy(m);
}

/* Reporting on a file backing punches holes: the blocks the file holds on disk fall (st_blocks). */
static void file_reporting_punches_holes(void **state)
{
	(void)state;
	char path[128], desc[256];
	struct stat st;
	snprintf(path, sizeof path, "%s/reported.mem", tmpdir);
	snprintf(desc, sizeof desc, "mem 0 0x1000-0x3fffffff\nbacking file %s\nfree_page_reporting dontneed\n", path);
	struct pf_machine *m = pf_test_boot(desc);
	pf_page_reporting_stop(m);
	struct pf_page *blocks[32];
	for (int i = 0; i < 32; i++) {	/* 32 blocks of 4 MiB = 128 MiB written into the file */
		blocks[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 10);
		assert_non_null(blocks[i]);
		memset(pf_page_address(blocks[i]), 0x77, 4096UL << 10);
	}
	assert_int_equal(stat(path, &st), 0);
	long long written = (long long)st.st_blocks * 512;
	assert_true(written >= 128LL << 20);
	for (int i = 0; i < 32; i++)
		pf_free_pages(blocks[i], 10);
	assert_true(pf_report_free_pages(m) >= 32L << 10);
	assert_int_equal(stat(path, &st), 0);
	print_message("file: %lld bytes on disk after writing 128 MiB, %lld after reporting\n", written,
		      (long long)st.st_blocks * 512);
	assert_true((long long)st.st_blocks * 512 < (8LL << 20));
	assert_int_equal((unsigned long long)st.st_size, GIB);	/* KEEP_SIZE */
	pf_machine_destroy(m);
}

static void file_errors(void **state)
{
	(void)state;
	char desc[512], path[128];

	expect_refused("mem 0 0x1000-0x3fffffff\nbacking file /nonexistent-dir-pf/x.mem\n",
		       "line 2: backing file /nonexistent-dir-pf/x.mem: cannot open or create", "No such file");
	expect_refused("mem 0 0x1000-0x3fffffff\nbacking file\n", "line 2: backing file: expected a path", NULL);
	expect_refused("mem 0 0x1000-0x3fffffff\nbacking file a b\n", "line 2: backing file: unexpected text", NULL);
	expect_refused("mem 0 0x1000-0x3fffffff\nbacking tape\n", "line 2: backing: expected hosted, none", "'tape'");
	expect_refused("mem 0 0x1000-0x3fffffff\nbacking file /dev/null\n", "line 2: backing file /dev/null: ",
		       "not a regular file");
	snprintf(desc, sizeof desc, "mem 0 0x1000-0x3fffffff\nbacking file %s\n", tmpdir);
	expect_refused(desc, "line 2: backing file /tmp/pf-backing-", "Is a directory");

	/* a file made for a larger machine: 2 GiB against this machine's 1 GiB window */
	snprintf(path, sizeof path, "%s/big.mem", tmpdir);
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(2 * GIB)), 0);
	close(fd);
	snprintf(desc, sizeof desc, "mem 0 0x1000-0x3fffffff\nbacking file %s\n", path);
	expect_refused(desc, "line 2: backing file /tmp/pf-backing-", "size mismatch: '");

	/* unwritable: a read-only file (root opens anything: then the test runs as nobody for the call) */
	snprintf(path, sizeof path, "%s/ro.mem", tmpdir);
	fd = open(path, O_RDWR | O_CREAT, 0400);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(tmpdir, 0755), 0);
	snprintf(desc, sizeof desc, "mem 0 0x1000-0x3fffffff\nbacking file %s\n", path);
	bool was_root = geteuid() == 0;
	if (was_root)
		assert_int_equal(seteuid(65534), 0);
	char err[512];
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (was_root)
		assert_int_equal(seteuid(0), 0);
	assert_null(m);
	char want[512];
	snprintf(want, sizeof want, "line 2: backing file %s: cannot open or create '%s' for reading and writing: "
		 "Permission denied", path, path);
	assert_string_equal(err, want);
}

/* The huge pages free on the host (HugePages_Free of /proc/meminfo). */
static long hugepages_free(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long v = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "HugePages_Free: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static long read_nr_hugepages(void)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool write_nr_hugepages(long n)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");
	if (!f)
		return false;
	bool ok = fprintf(f, "%ld\n", n) > 0;
	return fclose(f) == 0 && ok;
}

static void hugetlbfs(void **state)
{
	(void)state;
	/* 128 MiB window = 64 huge pages of 2 MiB */
	static const char desc[] = "mem 0 0x1000-0x7ffffff\nbacking hugetlbfs\n";
	/* one test process at a time touches the host's huge page pool */
	int lock = open("/tmp/pageframe-hugetlb-test.lock", O_RDWR | O_CREAT, 0600);
	assert_true(lock >= 0);
	assert_int_equal(flock(lock, LOCK_EX), 0);

	if (hugepages_free() < 64)
		expect_refused(desc, "line 2: backing hugetlbfs: cannot map 128 MiB of 2 MiB huge pages",
			       "/proc/sys/vm/nr_hugepages");
	else
		print_message("hugetlbfs: the host has huge pages free, the refusal is not tested\n");

	long before = read_nr_hugepages();
	if (before >= 0 && write_nr_hugepages(before + 64) && hugepages_free() >= 64) {
		struct pf_machine *m = pf_test_boot(desc);
		exercise(m);
		pf_machine_destroy(m);

		/* reporting punches whole huge pages out of the hugetlbfs file: they return to the pool */
		m = pf_test_boot("mem 0 0x1000-0x7ffffff\nbacking hugetlbfs\nfree_page_reporting dontneed\n");
		pf_page_reporting_stop(m);
		long free0 = hugepages_free();
		struct pf_page *blocks[8];
		for (int i = 0; i < 8; i++) {	/* 8 blocks of 4 MiB: 16 huge pages touched */
			blocks[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 10);
			assert_non_null(blocks[i]);
			memset(pf_page_address(blocks[i]), 0x77, 4096UL << 10);
		}
		long free1 = hugepages_free();
		for (int i = 0; i < 8; i++)
			pf_free_pages(blocks[i], 10);
		assert_true(pf_report_free_pages(m) >= 8L << 10);
		long free2 = hugepages_free();
		print_message("hugetlbfs: HugePages_Free %ld, %ld after writing 16, %ld after reporting\n", free0, free1,
			      free2);
		/* reserved pages count as free until touched: the 16 leave HugePages_Free, then come back */
		assert_int_equal(free0 - free1, 16);
		assert_true(free2 >= free0);
		pf_machine_destroy(m);
	} else {
		print_message("hugetlbfs: cannot reserve 64 huge pages here (not root?): success not tested\n");
	}
	if (before >= 0)
		write_nr_hugepages(before);
	flock(lock, LOCK_UN);
	close(lock);
}

static void shm_shared_between_processes(void **state)
{
	(void)state;
	char *name = shm_name, desc[256];
	snprintf(shm_name, sizeof shm_name, "/pageframe-test-%d", (int)getpid());
	snprintf(desc, sizeof desc, "mem 0 0x1000-0x7ffffff\nbacking shm %s\n", name);

	struct pf_machine *m = pf_test_boot(desc);
	struct pf_page *mine = pf_alloc_pages(m, PF_GFP_KERNEL, 0), *reply = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(mine);
	assert_non_null(reply);
	unsigned long pa = pf_page_to_pfn(mine), pb = pf_page_to_pfn(reply);
	uint64_t stamp = pf_test_stamp_of(pa, 1), none = 0;
	memcpy(pf_page_address(mine), &stamp, sizeof stamp);
	memcpy(pf_page_address(reply), &none, sizeof none);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* another process: its own machine on the same shared memory sees the parent's page */
		char err[256];
		struct pf_machine *c = pf_machine_create(desc, err, sizeof err);
		if (!c)
			_exit(2);
		uint64_t got;
		shared_copy(&got, pf_page_address(pf_pfn_to_page(c, pa)), sizeof got);
		if (got != stamp)
			_exit(3);
		uint64_t answer = pf_test_stamp_of(pb, 2);
		shared_copy(pf_page_address(pf_pfn_to_page(c, pb)), &answer, sizeof answer);
		pf_machine_destroy(c);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	uint64_t got;
	memcpy(&got, pf_page_address(reply), sizeof got);
	assert_true(got == pf_test_stamp_of(pb, 2));
	pf_free_pages(mine, 0);
	pf_free_pages(reply, 0);
	pf_machine_destroy(m);
	/* the object outlives the machine until unlinked */
	assert_int_equal(shm_unlink(name), 0);
	shm_name[0] = '\0';

	expect_refused("mem 0 0x1000-0x7ffffff\nbacking shm a/b\n",
		       "line 2: backing shm: 'a/b' is not a POSIX shared memory name", NULL);
	expect_refused("mem 0 0x1000-0x7ffffff\nbacking shm /\n", "line 2: backing shm: '/' is not a POSIX", NULL);
	expect_refused("mem 0 0x1000-0x7ffffff\nbacking shm\n", "line 2: backing shm: expected a name", NULL);
}

static void external_memory(void **state)
{
	(void)state;
	/* pfns 0x1..0x3ffff: 0x3ffff pages = 1 GiB - 4 KiB from base */
	static const char desc[] = "cpus 2\nmem 0 0x1000-0x3fffffff\n";
	size_t need = (size_t)GIB - 4096;
	char *buf = mmap(NULL, GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(buf != MAP_FAILED);
	char err[512];

	struct pf_machine *m = pf_machine_create_with_memory(desc, buf, need, err, sizeof err);
	if (!m)
		fail_msg("%s", err);
	assert_ptr_equal(pf_page_address(pf_pfn_to_page(m, 1)), buf);
	assert_ptr_equal(pf_page_address(pf_pfn_to_page(m, 0x3ffff)), buf + need - 4096);
	assert_ptr_equal(pf_virt_to_page(m, buf + 4096 * 5 + 7), pf_pfn_to_page(m, 6));
	exercise(m);
	pf_machine_destroy(m);
	buf[0] = 1;	/* still the caller's, still mapped */

	m = pf_machine_create_with_memory("mem 0 0x1000-0x3fffffff\nbacking external\n", buf, need, err, sizeof err);
	if (!m)
		fail_msg("%s", err);
	pf_machine_destroy(m);

	m = pf_machine_create_with_memory("mem 0 0x1000-0x3fffffff\nbacking external\n", buf, need - 4096, err,
					  sizeof err);
	assert_null(m);
	assert_non_null(strstr(err, "line 2: backing external: too small: 1073733632 bytes given"));
	m = pf_machine_create_with_memory(desc, buf, need - 1, err, sizeof err);
	assert_null(m);
	assert_non_null(strstr(err, "backing external: too small"));
	m = pf_machine_create_with_memory(desc, buf + 8, need, err, sizeof err);
	assert_null(m);
	assert_non_null(strstr(err, "backing external: misaligned"));
	m = pf_machine_create_with_memory(desc, NULL, need, err, sizeof err);
	assert_null(m);
	assert_non_null(strstr(err, "no memory"));
	m = pf_machine_create_with_memory("mem 0 0x1000-0x3fffffff\nbacking memfd\n", buf, need, err, sizeof err);
	assert_null(m);
	assert_string_equal(err, "line 2: backing: this machine's memory is the one given to "
				 "pf_machine_create_with_memory: write 'backing external' or leave the line out");
	expect_refused("mem 0 0x1000-0x3fffffff\nbacking external\n", "line 2: backing external: the memory is the "
		       "caller's: create the machine with pf_machine_create_with_memory", NULL);
	munmap(buf, GIB);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld %ld", &size, &rss), 2);
	fclose(f);
	return rss * 4;
}

/* Reporting on external memory: madvise(MADV_DONTNEED) on the caller's anonymous mapping. */
static void external_reporting(void **state)
{
	(void)state;
	size_t need = (size_t)GIB - 4096;
	char *buf = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(buf != MAP_FAILED);
	char err[512];
	struct pf_machine *m = pf_machine_create_with_memory("mem 0 0x1000-0x3fffffff\nfree_page_reporting dontneed\n",
							     buf, need, err, sizeof err);
	if (!m)
		fail_msg("%s", err);
	pf_page_reporting_stop(m);
	long start = rss_kib();
	struct pf_page *blocks[32];
	for (int i = 0; i < 32; i++) {
		blocks[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 10);
		assert_non_null(blocks[i]);
		memset(pf_page_address(blocks[i]), 0x77, 4096UL << 10);
	}
	long high = rss_kib();
	assert_true(high - start >= 128 * 1024 * 9 / 10);
	for (int i = 0; i < 32; i++)
		pf_free_pages(blocks[i], 10);
	assert_true(pf_report_free_pages(m) >= 32L << 10);
	long end = rss_kib();
	print_message("external: RSS %ld KiB, %ld after writing 128 MiB, %ld after reporting\n", start, high, end);
	assert_true(end - start < 8 * 1024);
	pf_machine_destroy(m);
	munmap(buf, need);
}

static void none_has_no_memory(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("mem 0 0x1000-0x3fffffff\nbacking file /nonexistent-dir-pf/x\nbacking none\n");
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_null(pf_page_address(p));	/* device memory: the caller works by pfn offset */
	pf_free_pages(p, 0);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_backing", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memfd_boots),
		cmocka_unit_test(file_persists),
		cmocka_unit_test(file_reporting_punches_holes),
		cmocka_unit_test(file_errors),
		cmocka_unit_test(hugetlbfs),
		cmocka_unit_test(shm_shared_between_processes),
		cmocka_unit_test(external_memory),
		cmocka_unit_test(external_reporting),
		cmocka_unit_test(none_has_no_memory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
