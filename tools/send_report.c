/*
 * send_report.c: the stdout of `planq send`.  Formats outcome lines
 * (`stored document=12 plan=7 PATH`, `failed reason="…" PATH`), counts them
 * and prints the summary.  Nothing else writes to stdout.
 */
#include <stdio.h>
#include <string.h>

#include "send_report.h"

/* reason="…" with quotes, backslashes and control characters escaped */
static void
send_print_reason(FILE *out, const char *reason)
{
	fputs(" reason=\"", out);
	for (const unsigned char *s = (const unsigned char *)reason; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(out, "\\x%02x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void
send_print_id(FILE *out, const char *key, json_t *v)
{
	if (json_is_integer(v))
		fprintf(out, " %s=%lld", key, (long long)json_integer_value(v));
	else if (json_is_string(v) && json_string_length(v) > 0)
		fprintf(out, " %s=%s", key, json_string_value(v));
}

static void
send_print_line(const struct send_report *rep, const char *status,
    json_t *document_id, json_t *plan_id, const char *reason,
    const char *path)
{
	if (rep->quiet)
		return;
	fputs(status, rep->out);
	send_print_id(rep->out, "document", document_id);
	send_print_id(rep->out, "plan", plan_id);
	if (reason != NULL)
		send_print_reason(rep->out, reason);
	fprintf(rep->out, " %s\n", path);
	fflush(rep->out);
}

static unsigned long *
send_report_counter(struct send_report *rep, const char *status)
{
	if (strcmp(status, "stored") == 0)
		return &rep->stored;
	if (strcmp(status, "duplicate") == 0)
		return &rep->duplicate;
	if (strcmp(status, "spooled") == 0)
		return &rep->spooled;
	if (strcmp(status, "rejected") == 0)
		return &rep->rejected;
	return NULL;
}

int
send_report_outcome(struct send_report *rep, const char *status,
    json_t *document_id, json_t *plan_id, const char *reason,
    const char *path)
{
	unsigned long *counter = send_report_counter(rep, status);

	if (counter == NULL)
		return -1;
	(*counter)++;
	send_print_line(rep, status, document_id, plan_id, reason, path);
	return 0;
}

void
send_report_failed(struct send_report *rep, const char *reason,
    const char *path)
{
	rep->failed++;
	send_print_line(rep, "failed", NULL, NULL, reason, path);
}

unsigned long
send_report_total(const struct send_report *rep)
{
	return rep->stored + rep->duplicate + rep->spooled + rep->rejected +
	    rep->failed;
}

void
send_report_summary(const struct send_report *rep)
{
	unsigned long total = send_report_total(rep);

	/* always "documents": scripts parse this line */
	fprintf(rep->out, "sent %lu documents: %lu stored, %lu duplicate, "
	    "%lu spooled, %lu rejected, %lu failed\n", total, rep->stored,
	    rep->duplicate, rep->spooled, rep->rejected, rep->failed);
	fflush(rep->out);
}

int
send_report_all_ok(const struct send_report *rep)
{
	return rep->rejected == 0 && rep->failed == 0;
}
