/*
 * fuzz_config.c: libFuzzer target over planqd.conf's reader
 * (config_read_text in daemon/config.c, the file's syntax from memory).
 * Checks that a text is either refused with "file:line: why" or gives a
 * configuration within every key's bounds, that nothing leaks (ASan), and
 * that the size syntax ("8M") agrees with an overflow-checked reading of
 * the input's first line.
 */
#include <ctype.h>
#include <errno.h>
#include <syslog.h>

#include "config.h"
#include "fuzz.h"
#include "jobwire.h"
#include "log.h"

#define FUZZ_SIZE_MAX (1ULL << 40)

/* An independent reading of a size: digits, an optional k/M/G, an
 * optional B; 1 byte to 1 TiB.  -1 when malformed or out of range. */
static int
fuzz_size_oracle(const char *text, unsigned long long *out)
{
	unsigned long long n, mult = 1;
	char *end;

	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno != 0 || end == text)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case 'k': mult = 1ULL << 10; end++; break;
	case 'm': mult = 1ULL << 20; end++; break;
	case 'g': mult = 1ULL << 30; end++; break;
	default: break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || n == 0 || __builtin_mul_overflow(n, mult, &n) ||
	    n > FUZZ_SIZE_MAX)
		return -1;
	*out = n;
	return 0;
}

static void
fuzz_check_size(const uint8_t *data, size_t size)
{
	char line[64];
	size_t len = 0, got = 0;
	unsigned long long want = 0;
	int rc, ref;

	while (len < size && len < sizeof(line) - 1 && data[len] != '\n' &&
	    data[len] != '\0') {
		line[len] = (char)data[len];
		len++;
	}
	line[len] = '\0';
	rc = config_parse_size(line, &got);
	ref = fuzz_size_oracle(line, &want);
	FUZZ_CHECK(rc == ref && (rc != 0 || got == want), "size [%s]: read "
	    "%d/%zu, expected %d/%llu", line, rc, got, ref, want);
}

static void
fuzz_check_bounds(const struct config *cfg)
{
	const size_t sizes[] = { cfg->max_body, cfg->queue_max_bytes,
	    cfg->batch_max_bytes, cfg->spool_max_bytes, cfg->worker_max_memory };

	FUZZ_CHECK(cfg->workers >= 1 && cfg->workers <= 256, "workers %d",
	    cfg->workers);
	FUZZ_CHECK(cfg->queue_max >= 1 && cfg->job_timeout >= 1 &&
	    cfg->drain_timeout >= 0 && cfg->max_crashes >= 1 &&
	    cfg->db_timeout >= 1 && cfg->db_retry_seconds >= 0 &&
	    cfg->spool_max_records >= 1, "a count out of its bounds");
	FUZZ_CHECK(cfg->batch_max >= 1 && cfg->batch_max <= JOBWIRE_BATCH_MAX,
	    "batch_max %d", cfg->batch_max);
	FUZZ_CHECK(cfg->log_level >= LOG_ERR && cfg->log_level <= LOG_DEBUG,
	    "log_level %d", cfg->log_level);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		FUZZ_CHECK(sizes[i] >= 1 && sizes[i] <= FUZZ_SIZE_MAX,
		    "size %zu out of bounds", sizes[i]);
	FUZZ_CHECK(cfg->nlisten >= 0 && cfg->nlisten <= CONFIG_MAX_LISTEN,
	    "nlisten %d", cfg->nlisten);
	for (int i = 0; i < cfg->nlisten; i++)
		FUZZ_CHECK(cfg->listen[i] != NULL, "listen %d unset", i);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char why[512];

	log_set_level(LOG_CRIT);
	fuzz_check_size(data, size);
	config_defaults(&cfg);
	why[0] = '\0';
	if (config_read_text(&cfg, (const char *)data, size, "fuzz.conf", why,
	    sizeof(why)) == 0)
		fuzz_check_bounds(&cfg);
	else
		FUZZ_CHECK(strncmp(why, "fuzz.conf:", 10) == 0 ||
		    strncmp(why, "cannot read fuzz.conf", 21) == 0,
		    "refusal without the file and line: [%s]", why);
	config_clear(&cfg);
	return 0;
}
