/*
 * test_build_info: pf_build_info() tells the truth about the library this test
 * links, which CMake compiled with the same PF_DEBUG_VM, build type and
 * sanitizers as the test itself (tests/CMakeLists.txt passes PF_DEBUG_VM; the
 * optimisation and sanitizer macros come from the shared compile flags).
 * tests/install/run.sh checks the installed libraries the same way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <pageframe/pageframe.h>

#ifndef PF_DEBUG_VM
#error "tests/CMakeLists.txt passes PF_DEBUG_VM to every test"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

#if defined(__SANITIZE_ADDRESS__)
#define WANT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WANT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define WANT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WANT_TSAN 1
#endif
#endif

/* The words in their documented order: debug_vm=, build=, optimized=, sanitize=. */
static void test_build_info_words(void **state)
{
	(void)state;
	const char *info = pf_build_info();
	char dvm[32], build[64], opt[32], san[96];
	assert_non_null(info);
	assert_int_equal(sscanf(info, "%31s %63s %31s %95s", dvm, build, opt, san), 4);
	assert_string_equal(dvm, "debug_vm=" STR(PF_DEBUG_VM));
	assert_true(strncmp(build, "build=", 6) == 0 && build[6] != '\0');
#ifdef __OPTIMIZE__
	assert_string_equal(opt, "optimized=1");
#else
	assert_string_equal(opt, "optimized=0");
#endif
	assert_true(strncmp(san, "sanitize=", 9) == 0);
#if defined(WANT_ASAN)
	assert_non_null(strstr(san + 9, "address"));
#elif defined(WANT_TSAN)
	assert_non_null(strstr(san + 9, "thread"));
#else
	assert_string_equal(san, "sanitize=none");
#endif
	/* one line, no trailing space: the words are the whole string */
	assert_null(strchr(info, '\n'));
	assert_true(info[strlen(info) - 1] != ' ');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_info_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
